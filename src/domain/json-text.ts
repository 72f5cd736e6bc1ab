import { ErrorCode, ModelctlError } from './errors';

/** Limits of every JSON input (flags, `@file` arguments, points and outcome files, request bodies). */
export const JSON_LIMITS = {
  /** Largest inline value or `@file` of a flag (`--config`, `--metrics`), in bytes of UTF-8. */
  flagBytes: 1024 * 1024,
  /** Largest data file (metric points, outcomes, an analysis document), in bytes of UTF-8. */
  fileBytes: 64 * 1024 * 1024,
  /** Deepest nesting of arrays and objects; the top-level value is depth 1. */
  depth: 32,
} as const;

/**
 * Parses one JSON document from `text` and checks it against the limits: at most `maxBytes` bytes, nested at most
 * {@link JSON_LIMITS}.depth deep, and no `__proto__` key (it would be dropped or change a prototype on the way into
 * the registry, so it is refused rather than lost).
 * @param what names the input in messages, e.g. `--config (train.json)` or `--file points.jsonl line 3`.
 * @throws ModelctlError INVALID_INPUT `invalid <what>: malformed JSON: …`, `… is 2000000 bytes; the limit is 1048576`,
 *   `… nested deeper than 32 levels at a.b.c…`, `… key "__proto__" is not allowed at config`
 */
export function parseJsonText(text: string, what: string, maxBytes: number = JSON_LIMITS.flagBytes): unknown {
  checkSize(text, what, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new ModelctlError(ErrorCode.INVALID_INPUT, `invalid ${what}: malformed JSON: ${(err as Error).message}`);
  }
  checkShape(value, what);
  return value;
}

/**
 * Refuses `text` over `maxBytes` bytes of UTF-8, the limit in the message.
 * @throws ModelctlError INVALID_INPUT `invalid <what>: is <n> bytes; the limit is <maxBytes>`
 */
export function checkSize(text: string, what: string, maxBytes: number): void {
  // A UTF-16 unit is 1 to 3 bytes of UTF-8: encode only when the length alone does not decide.
  const bytes =
    text.length > maxBytes || text.length * 3 <= maxBytes ? text.length : new TextEncoder().encode(text).length;
  if (bytes > maxBytes) {
    throw new ModelctlError(ErrorCode.INVALID_INPUT, `invalid ${what}: is ${bytes} bytes; the limit is ${maxBytes}`);
  }
}

/** Walks `value` without recursion (so a deep document cannot overflow the stack) checking depth and keys. */
function checkShape(value: unknown, what: string): void {
  const pending: { value: unknown; depth: number; path: string }[] = [{ value, depth: 1, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth > JSON_LIMITS.depth) {
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid ${what}: nested deeper than ${JSON_LIMITS.depth} levels at ${next.path.slice(0, 200)}`,
      );
    }
    for (const [key, child] of Object.entries(next.value)) {
      const path = next.path === '' ? key : `${next.path}.${key}`;
      if (key === '__proto__') {
        throw new ModelctlError(
          ErrorCode.INVALID_INPUT,
          `invalid ${what}: key "__proto__" is not allowed${next.path === '' ? '' : ` at ${next.path}`}`,
        );
      }
      pending.push({ value: child, depth: next.depth + 1, path });
    }
  }
}

/**
 * Parses JSON Lines: one document a line, blank lines skipped, each checked as {@link parseJsonText} does
 * (the whole text against `maxBytes`, each line's errors naming `<what>: line <n>`).
 * @throws ModelctlError INVALID_INPUT naming the line
 */
export function parseJsonLines(text: string, what: string, maxBytes: number = JSON_LIMITS.fileBytes): JsonLine[] {
  checkSize(text, what, maxBytes);
  const values: JsonLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '')
      values.push({ line: i + 1, value: parseJsonText(line, `${what}: line ${i + 1}`, maxBytes) });
  });
  return values;
}

/** One document of a JSON Lines text and its 1-based line number (blank lines count). */
export interface JsonLine {
  line: number;
  value: unknown;
}
