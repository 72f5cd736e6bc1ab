import type { DDSketch } from '@datadog/sketches-js';
import { parseInput } from '../domain/errors';
import {
  momentsOf,
  ObservationBatch,
  observationBucket,
  ObservationQuery,
  type ObservationAggregate,
  type ObservationParsed,
} from '../domain/observation';
import { iso } from './rows';
import { decodeSketch, encodeSketch, newSketch } from './quantile-sketch';
import { inTransaction, type StoreContext } from './transaction';

/** What one batch adds to one bucket, before it meets the stored row. */
interface BucketDelta {
  model: string;
  version: string;
  metric: string;
  bucketStart: string;
  count: number;
  sum: number;
  sumSquares: number;
  min: number;
  max: number;
  sketch: DDSketch | null;
}

/**
 * The bucket start of a timestamp as the batch schema leaves it (`toISOString` form): its minute with zero seconds,
 * without a date to parse or format. Any other form (an extended year) goes through Date.
 */
function bucketOf(timestamp: string): string {
  return timestamp.length === 24 && timestamp.charCodeAt(23) === 90 /* Z */
    ? `${timestamp.slice(0, 16)}:00.000Z`
    : observationBucket(Date.parse(timestamp));
}

/** Sums a parsed batch per (model, version, metric, bucket): a batch of any size becomes a few rows to write. */
function deltasOf(batch: ObservationParsed[], nowMs: number): BucketDelta[] {
  const deltas = new Map<string, BucketDelta>();
  const now = observationBucket(nowMs);
  // A batch runs in long stretches of one model, version and minute, often with a few metrics interleaved: the
  // last bucket of each metric is reused while the row matches it, so the map key is built only on a change.
  const lastOfMetric = new Map<string, BucketDelta>();
  // The minute (first 16 characters) of the last timestamp and its bucket: consecutive timestamps of one minute
  // share it. Starts as a prefix no timestamp has.
  let lastMinute = '\u0000';
  let lastBucket = now;
  for (const o of batch) {
    let bucketStart = now;
    if (o.timestamp !== undefined) {
      if (!(o.timestamp.length === 24 && o.timestamp.startsWith(lastMinute))) {
        lastBucket = bucketOf(o.timestamp);
        lastMinute = o.timestamp.length === 24 ? o.timestamp.slice(0, 16) : '\u0000';
      }
      bucketStart = lastBucket;
    }
    let delta = lastOfMetric.get(o.metric);
    if (
      delta === undefined ||
      delta.bucketStart !== bucketStart ||
      delta.version !== o.version ||
      delta.model !== o.model
    ) {
      // Model names, versions and timestamps cannot hold \u0000, so the joined key is unambiguous.
      const key = `${o.model}\u0000${o.version}\u0000${o.metric}\u0000${bucketStart}`;
      delta = deltas.get(key);
      if (delta === undefined) {
        delta = {
          model: o.model,
          version: o.version,
          metric: o.metric,
          bucketStart,
          count: 0,
          sum: 0,
          sumSquares: 0,
          min: Infinity,
          max: -Infinity,
          sketch: null,
        };
        deltas.set(key, delta);
      }
      lastOfMetric.set(o.metric, delta);
    }
    if (o.value !== undefined) {
      delta.count += 1;
      delta.sum += o.value;
      delta.sumSquares += o.value * o.value;
      delta.min = Math.min(delta.min, o.value);
      delta.max = Math.max(delta.max, o.value);
      (delta.sketch ??= newSketch()).accept(o.value);
    } else if (o.window !== undefined) {
      delta.count += o.window.count;
      delta.sum += o.window.sum;
      delta.sumSquares += o.window.sumSquares;
      delta.min = Math.min(delta.min, o.window.min);
      delta.max = Math.max(delta.max, o.window.max);
    }
  }
  // In key order (the joined key sorts as the tuple: \u0000 is below every character of the parts), so concurrent
  // writers lock bucket rows in one order.
  return [...deltas.keys()].sort().map((key) => deltas.get(key)!);
}

/**
 * See RegistryStore.recordObservations: the batch is summed per bucket in memory, then each bucket row is read,
 * merged (counts and sums added, min/max widened, sketches merged) and written back in one transaction, so
 * concurrent recorders of one bucket never lose each other's observations: SQLite's BEGIN IMMEDIATE serialises
 * them; on PostgreSQL the read locks the row (FOR UPDATE, which under READ COMMITTED waits and then reads the
 * committed row), and a row two writers both create is a unique violation, after which the transaction runs again
 * and finds it. Rows are locked in key order, so two batches never wait on each other in a cycle.
 */
export async function recordObservations(
  ctx: StoreContext,
  raw: unknown,
): Promise<{ recorded: number; buckets: number }> {
  const batch = parseInput(ObservationBatch, raw, 'observations');
  const deltas = deltasOf(batch, ctx.now().getTime());
  await inTransaction(ctx, async (trx) => {
    for (const d of deltas) {
      const key = { model: d.model, version: d.version, metric: d.metric, bucket_start: d.bucketStart };
      const read = trx
        .selectFrom('observation_buckets')
        .selectAll()
        .where((eb) => eb.and(key));
      const stored = await (ctx.dialect === 'postgres' ? read.forUpdate() : read).executeTakeFirst();
      let sketch = d.sketch;
      if (stored?.sketch != null) {
        const merged = decodeSketch(stored.sketch);
        if (sketch !== null) merged.merge(sketch);
        sketch = merged;
      }
      const row = {
        count: Number(stored?.count ?? 0) + d.count,
        sum: (stored?.sum ?? 0) + d.sum,
        sum_squares: (stored?.sum_squares ?? 0) + d.sumSquares,
        min: Math.min(stored?.min ?? Infinity, d.min),
        max: Math.max(stored?.max ?? -Infinity, d.max),
        sketch: sketch === null ? null : encodeSketch(sketch),
      };
      if (stored === undefined)
        await trx
          .insertInto('observation_buckets')
          .values({ ...key, ...row })
          .execute();
      else
        await trx
          .updateTable('observation_buckets')
          .set(row)
          .where((eb) => eb.and(key))
          .execute();
    }
  });
  return { recorded: batch.length, buckets: deltas.length };
}

/** See RegistryStore.aggregateObservations: the buckets of one metric of one version in [from, to), summed. */
export async function aggregateObservations(ctx: StoreContext, raw: unknown): Promise<ObservationAggregate> {
  const q = parseInput(ObservationQuery, raw, 'observation query');
  let query = ctx.db
    .selectFrom('observation_buckets')
    .selectAll()
    .where('model', '=', q.model)
    .where('version', '=', q.version)
    .where('metric', '=', q.metric);
  // A bucket belongs to the window its start falls in: `from` is rounded down to its bucket.
  if (q.from !== undefined) query = query.where('bucket_start', '>=', observationBucket(Date.parse(q.from)));
  if (q.to !== undefined) query = query.where('bucket_start', '<', q.to);
  const rows = await query.orderBy('bucket_start').execute();
  let count = 0;
  let sum = 0;
  let sumSquares = 0;
  let min: number | null = null;
  let max: number | null = null;
  let sketch: DDSketch | null = null;
  for (const r of rows) {
    count += Number(r.count);
    sum += r.sum;
    sumSquares += r.sum_squares;
    min = min === null ? r.min : Math.min(min, r.min);
    max = max === null ? r.max : Math.max(max, r.max);
    if (r.sketch !== null) {
      const s = decodeSketch(r.sketch);
      if (sketch === null) sketch = s;
      else sketch.merge(s);
    }
  }
  const sketchCount = sketch?.count ?? 0;
  const quantiles: Record<string, number | null> = {};
  for (const p of q.quantiles)
    quantiles[String(p)] = sketch === null || sketchCount === 0 ? null : sketch.getValueAtQuantile(p);
  return {
    model: q.model,
    version: q.version,
    metric: q.metric,
    count,
    sum,
    sumSquares,
    min,
    max,
    ...momentsOf(count, sum, sumSquares),
    sketchCount,
    quantiles,
    firstBucket: rows.length === 0 ? null : iso(rows[0]!.bucket_start),
    lastBucket: rows.length === 0 ? null : iso(rows[rows.length - 1]!.bucket_start),
  };
}
