import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { MetricPointInput } from '../domain/experiment';

const Points = z.array(MetricPointInput).min(1, 'must hold at least one point');
const Document = z.union([
  Points,
  z
    .object({ points: Points })
    .strict()
    .transform((d) => d.points),
]);

function parseJson(text: string, where: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid ${what}: ${where}malformed JSON: ${(err as Error).message}`,
    );
  }
}

/**
 * Reads a batch of metric points from a file: `.jsonl` / `.ndjson` hold one point per line (blank lines skipped);
 * any other name holds one JSON document, an array of points or `{ "points": [...] }`. A point is
 * `{ key, value, step, timestamp? }` (MetricPointInput). Non-finite values are left for logMetrics to reject by key and step.
 * @param what how errors name the input, e.g. `--file points.jsonl`; default `metric points file <path>`.
 * @throws ModelctlError NOT_FOUND (no such file), INVALID_INPUT (unreadable, malformed JSON naming the line, a bad point naming its index)
 */
export async function readMetricPointsFile(
  path: string,
  what = `metric points file ${path}`,
): Promise<MetricPointInput[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelctlError(
      code === 'ENOENT' ? ErrorCode.NOT_FOUND : ErrorCode.INVALID_INPUT,
      `cannot read ${what}: ${code ?? String(err)}`,
    );
  }
  if (/\.(jsonl|ndjson)$/i.test(path)) {
    const points: unknown[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() !== '') points.push(parseJson(line, `line ${i + 1}: `, what));
    });
    return parseInput(Points, points, what);
  }
  return parseInput(Document, parseJson(text, '', what), what);
}
