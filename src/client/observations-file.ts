import { z } from 'zod';
import { parseInput } from '../domain/errors';
import { ObservationInput, type ObservationParsed } from '../domain/observation';
import { readJsonLinesFile } from './input-file';

/** One line of an observations file: the observation without model and version, which the command gives. */
const ObservationLine = z
  .object({ metric: z.unknown(), value: z.unknown(), window: z.unknown(), timestamp: z.unknown() })
  .partial()
  .strict();

/**
 * Reads a JSON Lines file of observations of one model version: one `{ metric, value | window, timestamp? }` a line
 * (blank lines skipped), at most 64 MiB. Every line is checked before anything is recorded.
 * @param ref the model and version every line belongs to; @param what names the input in errors (`--file obs.jsonl`).
 * @returns the parsed observations, in file order.
 * @throws ModelctlError NOT_FOUND (no such file), INVALID_INPUT naming the line and field
 */
export async function readObservationsFile(
  path: string,
  ref: { model: string; version: string },
  what = `observations file ${path}`,
): Promise<ObservationParsed[]> {
  const lines = await readJsonLinesFile(path, what);
  return lines.map((l) => {
    const at = `${what}: line ${l.line}`;
    const line = parseInput(ObservationLine, l.value, at);
    return parseInput(ObservationInput, { ...line, ...ref }, at);
  });
}
