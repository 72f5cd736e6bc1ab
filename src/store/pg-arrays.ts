/**
 * PostgreSQL array literals for `unnest($n::type[])` parameters, written as the pg driver writes a JS array (each
 * element as `String(value)`, text quoted with `\` and `"` escaped) but without its per-element type dispatch and
 * regular expressions, which cost more than the insert's own work for a batch of a few thousand elements.
 */

/** `{1,2.5,-3}`: numbers in JavaScript's shortest round-trip form, which float8 and int8 read back exactly. */
export function pgNumberArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `{"a","b\"c"}`: every element quoted and escaped; a run of equal elements (one key, one timestamp) is escaped once. */
export function pgTextArray(values: readonly string[]): string {
  const parts = new Array<string>(values.length);
  let last: string | undefined;
  let lastQuoted = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== last) {
      last = v;
      lastQuoted = quoted(v);
    }
    parts[i] = lastQuoted;
  }
  return `{${parts.join(',')}}`;
}
