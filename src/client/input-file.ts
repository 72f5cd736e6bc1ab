import { readFile, stat } from 'node:fs/promises';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { JSON_LIMITS, checkSize, parseJsonLines, parseJsonText, type JsonLine } from '../domain/json-text';
import { fromSystemError } from '../domain/system-errors';

/**
 * The text of an input file (a `@file` argument, a points or outcomes file, an analysis document), refused before it
 * is read when larger than `maxBytes`. One error mapping for every input file:
 * @param what names the input in messages, e.g. `--file points.jsonl`.
 * @throws ModelctlError NOT_FOUND (no such file), INVALID_INPUT (a directory, over the limit, permission denied,
 *   not readable), NO_SPACE never (reading needs no space)
 */
export async function readInputText(
  path: string,
  what: string,
  maxBytes: number = JSON_LIMITS.fileBytes,
): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile())
      throw new ModelctlError(ErrorCode.INVALID_INPUT, `invalid ${what}: ${path} is not a regular file`);
    if (info.size > maxBytes) {
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid ${what}: is ${info.size} bytes; the limit is ${maxBytes}`,
      );
    }
    const text = await readFile(path, 'utf8');
    checkSize(text, what, maxBytes);
    return text;
  } catch (err) {
    if (err instanceof ModelctlError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelctlError(ErrorCode.NOT_FOUND, `cannot read ${what}: no such file ${path}`);
    throw (
      fromSystemError(err, path) ??
      new ModelctlError(ErrorCode.INVALID_INPUT, `cannot read ${what}: ${code ?? String(err)}`, undefined, {
        cause: err,
      })
    );
  }
}

/**
 * Reads one JSON document with the limits of {@link parseJsonText}.
 * @throws ModelctlError as {@link readInputText} and {@link parseJsonText}
 */
export async function readJsonFile(
  path: string,
  what: string,
  maxBytes: number = JSON_LIMITS.fileBytes,
): Promise<unknown> {
  return parseJsonText(await readInputText(path, what, maxBytes), what, maxBytes);
}

/**
 * Reads a JSON Lines file: one document a line with its line number, blank lines skipped.
 * @throws ModelctlError as {@link readInputText} and {@link parseJsonLines}
 */
export async function readJsonLinesFile(
  path: string,
  what: string,
  maxBytes: number = JSON_LIMITS.fileBytes,
): Promise<JsonLine[]> {
  return parseJsonLines(await readInputText(path, what, maxBytes), what, maxBytes);
}

/** True for a JSON Lines file name (`.jsonl`, `.ndjson`). */
export function isJsonLines(path: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(path);
}

/**
 * The JSON value of a flag given inline (`--config '{"lr":0.01}'`) or as `@file` (`--config @train.json`), at most
 * {@link JSON_LIMITS}.flagBytes either way. Undefined when the flag is absent; the value's shape is the caller's schema.
 * @param flag the flag as typed, used in messages: `invalid --config: malformed JSON: …`.
 * @throws ModelctlError as {@link readJsonFile}
 */
export async function readJsonArgument(flag: string, raw: string | undefined): Promise<unknown> {
  if (raw === undefined) return undefined;
  if (!raw.startsWith('@')) return parseJsonText(raw, flag, JSON_LIMITS.flagBytes);
  const file = raw.slice(1);
  return parseJsonText(
    await readInputText(file, `${flag} (${file})`, JSON_LIMITS.flagBytes),
    `${flag} (${file})`,
    JSON_LIMITS.flagBytes,
  );
}
