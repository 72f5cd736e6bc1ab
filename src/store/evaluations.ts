import { parseInput } from '../domain/errors';
import { AttachEvaluationInput, type EvaluationSeries, type EvaluationSummary } from '../domain/evaluation';
import { inTransaction, type StoreContext } from './transaction';
import { versionNotFound } from './not-found';

/** Rows per insert statement: 6 parameters each keeps SQLite under its 32,766-variable limit. */
const EVALUATION_CHUNK_ROWS = 1_000;

/**
 * See RegistryStore.attachEvaluation: the samples replace whatever the version held for that evaluation set, in one
 * transaction, so attaching the same file again is a no-op in effect and a half-written set is never read.
 */
export async function attachEvaluation(
  ctx: StoreContext,
  raw: unknown,
): Promise<{ evalSet: string; samples: number; metrics: string[] }> {
  const input = parseInput(AttachEvaluationInput, raw, 'attachEvaluation input');
  await inTransaction(ctx, async (trx) => {
    const version = await trx
      .selectFrom('model_versions')
      .select('id')
      .where('model', '=', input.model)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (version === undefined) {
      throw versionNotFound(input.model, input.version);
    }
    await trx
      .deleteFrom('evaluation_samples')
      .where('model', '=', input.model)
      .where('version', '=', input.version)
      .where('eval_set', '=', input.evalSet)
      .execute();
    for (let start = 0; start < input.samples.length; start += EVALUATION_CHUNK_ROWS) {
      await trx
        .insertInto('evaluation_samples')
        .values(
          input.samples.slice(start, start + EVALUATION_CHUNK_ROWS).map((s) => ({
            model: input.model,
            version: input.version,
            eval_set: input.evalSet,
            metric: s.metric,
            unit: s.unit,
            value: s.value,
          })),
        )
        .execute();
    }
  });
  const metrics = [...new Set(input.samples.map((s) => s.metric))].sort();
  return { evalSet: input.evalSet, samples: input.samples.length, metrics };
}

/** See RegistryStore.evaluationSeries: every (set, metric) of a version, units in code-point order. */
export async function evaluationSeries(ctx: StoreContext, model: string, version: string): Promise<EvaluationSeries[]> {
  const rows = await ctx.db
    .selectFrom('evaluation_samples')
    .select(['version', 'eval_set', 'metric', 'unit', 'value'])
    .where('model', '=', model)
    .where('version', '=', version)
    .execute();
  return seriesOf(rows).get(version) ?? [];
}

/** See RegistryStore.modelEvaluationSeries: one read of the model's samples (the primary key's prefix). */
export async function modelEvaluationSeries(
  ctx: StoreContext,
  model: string,
): Promise<Map<string, EvaluationSeries[]>> {
  const rows = await ctx.db
    .selectFrom('evaluation_samples')
    .select(['version', 'eval_set', 'metric', 'unit', 'value'])
    .where('model', '=', model)
    .execute();
  return seriesOf(rows);
}

/** Sample rows grouped by version into series ordered by set, metric and unit. */
function seriesOf(
  rows: { version: string; eval_set: string; metric: string; unit: string; value: number | string }[],
): Map<string, EvaluationSeries[]> {
  // Sorted here, not in SQL: PostgreSQL's collation would order unit ids differently from SQLite's.
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  rows.sort(
    (a, b) =>
      byCodePoint(a.version, b.version) ||
      byCodePoint(a.eval_set, b.eval_set) ||
      byCodePoint(a.metric, b.metric) ||
      byCodePoint(a.unit, b.unit),
  );
  const out = new Map<string, EvaluationSeries[]>();
  for (const r of rows) {
    let series = out.get(r.version);
    if (series === undefined) out.set(r.version, (series = []));
    let last = series[series.length - 1];
    if (last === undefined || last.evalSet !== r.eval_set || last.metric !== r.metric) {
      last = { evalSet: r.eval_set, metric: r.metric, units: [], values: [] };
      series.push(last);
    }
    last.units.push(r.unit);
    last.values.push(Number(r.value));
  }
  return out;
}

/** See RegistryStore.evaluationSummaries: units, mean and standard deviation (two-pass) per (set, metric). */
export async function evaluationSummaries(
  ctx: StoreContext,
  model: string,
  version: string,
): Promise<EvaluationSummary[]> {
  return (await evaluationSeries(ctx, model, version)).map(({ evalSet, metric, values }) => {
    const n = values.length;
    const mean = values.reduce((acc, v) => acc + v, 0) / n;
    const sd = n < 2 ? null : Math.sqrt(values.reduce((acc, v) => acc + (v - mean) ** 2, 0) / (n - 1));
    return { evalSet, metric, units: n, mean, sd };
  });
}
