import { readFile } from 'node:fs/promises';
import { ErrorCode, ModelctlError } from '../domain/errors';

/**
 * The JSON value of a flag given inline (`--config '{"lr":0.01}'`) or as `@file` (`--config @train.json`).
 * Undefined when the flag is absent; validation of the value's shape is the caller's schema.
 * @param flag the flag as typed, used in messages: `invalid --config: malformed JSON: …`.
 * @throws ModelctlError INVALID_INPUT (malformed JSON), NOT_FOUND (missing @file)
 */
export async function readJsonFlag(flag: string, raw: string | undefined): Promise<unknown> {
  if (raw === undefined) return undefined;
  let text = raw;
  let source = '';
  if (raw.startsWith('@')) {
    const file = raw.slice(1);
    source = ` (${file})`;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ModelctlError(
        code === 'ENOENT' ? ErrorCode.NOT_FOUND : ErrorCode.INVALID_INPUT,
        `cannot read ${flag} file ${file}: ${code ?? String(err)}`,
      );
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid ${flag}${source}: malformed JSON: ${(err as Error).message}`,
    );
  }
}
