/**
 * Aligned columns for a person: a header row and data rows, columns separated by two spaces.
 * @param rightAligned indices of columns to right-align (numbers).
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A number for a table: at most 6 significant digits, no exponent noise for ordinary metric values; `-` for null. */
export function formatNumber(x: number | null): string {
  return x === null ? '-' : String(Number(x.toPrecision(6)));
}

/** A signed number, `+0.01` / `-0.2`; `-` for null. */
export function formatSigned(x: number | null): string {
  return x === null ? '-' : `${x > 0 ? '+' : ''}${formatNumber(x)}`;
}

/** A signed percentage with two decimals, `+5.00%`; `-` for null. */
export function formatPercent(x: number | null): string {
  return x === null ? '-' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
}

/** A byte count for a person: `812 B`, `1.5 KiB`, `12.3 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}
