import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { EvaluationSampleInput, MAX_EVALUATION_SAMPLES } from '../domain/evaluation';
import { readJsonLinesFile } from './input-file';

/**
 * Reads a JSON Lines file of evaluation samples: one `{"unit": "<id>", "metric": "<name>", "value": <number>}` a
 * line (blank lines skipped; binary metrics as 0/1), at most 64 MiB and 1,000,000 samples. Every line is checked
 * before anything is stored; a (unit, metric) given twice is refused with both line numbers.
 * @param what names the input in errors, e.g. `--eval-samples eval.jsonl`.
 * @throws ModelctlError NOT_FOUND (no such file), INVALID_INPUT naming the line and field
 */
export async function readEvaluationFile(
  path: string,
  what = `evaluation file ${path}`,
): Promise<EvaluationSampleInput[]> {
  const lines = await readJsonLinesFile(path, what);
  if (lines.length === 0) throw new ModelctlError(ErrorCode.INVALID_INPUT, `invalid ${what}: holds no samples`);
  if (lines.length > MAX_EVALUATION_SAMPLES) {
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid ${what}: holds ${lines.length} samples, at most ${MAX_EVALUATION_SAMPLES} are taken per call`,
    );
  }
  const firstLine = new Map<string, number>();
  return lines.map((l) => {
    const sample = parseInput(EvaluationSampleInput, l.value, `${what}: line ${l.line}`);
    const key = `${sample.metric}\u0000${sample.unit}`;
    const first = firstLine.get(key);
    if (first !== undefined) {
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid ${what}: line ${l.line}: unit ${JSON.stringify(sample.unit)} already has a value of ${JSON.stringify(sample.metric)} on line ${first}`,
      );
    }
    firstLine.set(key, l.line);
    return sample;
  });
}
