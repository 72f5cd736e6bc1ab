import { z } from 'zod';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { MetricPointInput } from '../domain/experiment';
import { isJsonLines, readJsonFile, readJsonLinesFile } from './input-file';

const Points = z.array(MetricPointInput).min(1, 'must hold at least one point');
const Document = z.union([
  Points,
  z
    .object({ points: Points })
    .strict()
    .transform((d) => d.points),
]);

/**
 * A value such as 1e999 parses to Infinity; named here with its key, step and place, since the schema's union would
 * only say that the document does not match.
 */
function checkFinite(points: readonly { where: string; point: unknown }[], what: string): void {
  for (const { where, point } of points) {
    const { key, step, value } = (point ?? {}) as { key?: unknown; step?: unknown; value?: unknown };
    if (typeof value !== 'number' || Number.isFinite(value)) continue;
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid ${what}: ${where}: ${String(key)} at step ${String(step)}: value must be a finite number, got ${value}`,
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
  if (isJsonLines(path)) {
    const lines = await readJsonLinesFile(path, what);
    checkFinite(
      lines.map((l) => ({ where: `line ${l.line}`, point: l.value })),
      what,
    );
    return parseInput(
      Points,
      lines.map((l) => l.value),
      what,
    );
  }
  const document = await readJsonFile(path, what);
  const points: unknown = Array.isArray(document) ? document : (document as { points?: unknown } | null)?.points;
  if (Array.isArray(points))
    checkFinite(
      points.map((point: unknown, i) => ({ where: `points[${i}]`, point })),
      what,
    );
  return parseInput(Document, document, what);
}
