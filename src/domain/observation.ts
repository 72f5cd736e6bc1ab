import { z } from 'zod';
import { ModelName } from './names';
import { SemVer } from './semver';
import { MetricKey } from './experiment';
import { IsoTimestamp } from './timestamp';

/**
 * Width of one observation bucket, in ms: observations are summed per (model, version, metric, minute). A guard
 * whose check interval is shorter widens its windows to whole buckets, so a check still sees the bucket it is in.
 */
export const OBSERVATION_BUCKET_MS = 60_000;

/** Most observations one call records (a serving system sends batches; bigger ones are split by the caller). */
export const MAX_OBSERVATIONS_PER_BATCH = 100_000;

/** A finite number as JSON carries it (NaN and ±Infinity cannot be stored nor summed). */
const Finite = z.number({ error: 'expected a finite number' }).refine(Number.isFinite, 'must be finite');

/**
 * A pre-aggregated window of one metric: count of values, their sum, sum of squares, min and max (the sufficient
 * statistics of a mean and a variance). count ≥ 1, min ≤ max, and the sum and sum of squares must be ones that
 * `count` values in [min, max] can have.
 */
export const ObservationWindow = z
  .object({
    count: z.number().int('must be an integer').min(1, 'must be at least 1').max(1e12, 'must be at most 1e12'),
    sum: Finite,
    sumSquares: Finite.refine((v) => v >= 0, 'must not be negative'),
    min: Finite,
    max: Finite,
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.min > w.max) ctx.addIssue({ code: 'custom', path: ['min'], message: 'must not exceed max' });
    // Tolerance for float rounding of sums the caller computed.
    const slack = 1e-9 * Math.max(1, Math.abs(w.sum));
    if (w.sum < w.count * w.min - slack || w.sum > w.count * w.max + slack)
      ctx.addIssue({ code: 'custom', path: ['sum'], message: 'must lie between count × min and count × max' });
    if (w.sumSquares * w.count + 1e-9 * Math.max(1, w.sum * w.sum) < w.sum * w.sum)
      ctx.addIssue({ code: 'custom', path: ['sumSquares'], message: 'must be at least sum² / count' });
  });
export type ObservationWindow = z.infer<typeof ObservationWindow>;

/**
 * One production observation as a serving system sends it: the model and the version that served, the metric
 * (`error` 0/1, `latency_ms`, `reward`, …) and either one `value` or a pre-aggregated `window`; `timestamp`
 * (ISO 8601 with a zone) defaults to the time of recording. Only `value`s feed the quantile sketch.
 */
export const ObservationInput = z
  .object({
    model: ModelName,
    version: SemVer,
    metric: MetricKey,
    value: Finite.optional(),
    window: ObservationWindow.optional(),
    timestamp: IsoTimestamp.optional(),
  })
  .strict()
  .refine((o) => (o.value === undefined) !== (o.window === undefined), {
    message: 'give exactly one of value (one observation) or window ({count, sum, sumSquares, min, max})',
    path: ['value'],
  });
export type ObservationInput = z.input<typeof ObservationInput>;
export type ObservationParsed = z.output<typeof ObservationInput>;

/** The same fields as {@link ObservationInput}, with the names and the timestamp checked once per distinct value. */
const BatchRow = z
  .object({
    model: z.string({ error: 'expected a string' }),
    version: z.string({ error: 'expected a string' }),
    metric: z.string({ error: 'expected a string' }),
    value: Finite.optional(),
    window: ObservationWindow.optional(),
    timestamp: z.string({ error: 'expected an ISO 8601 timestamp string' }).optional(),
  })
  .strict()
  .refine((o) => (o.value === undefined) !== (o.window === undefined), {
    message: 'give exactly one of value (one observation) or window ({count, sum, sumSquares, min, max})',
    path: ['value'],
  });

/** The canonical form of a timestamp (what toISOString writes), kept as it is; anything else goes through IsoTimestamp. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A name checked once per batch: its parsed form, or the message of its first issue. */
type Checked = { ok: true; value: string } | { ok: false; message: string };

const VALUE_ROW_KEYS = new Set(['model', 'version', 'metric', 'value', 'timestamp']);

/**
 * True for the common row, `{ model, version, metric, value, timestamp? }` of the right primitive types with a finite
 * value: what BatchRow accepts for it is exactly this, so such rows skip the object parser (a third of the cost of
 * ingesting); every other row, windows included, goes through BatchRow and its messages.
 */
function isPlainValueRow(
  row: unknown,
): row is { model: string; version: string; metric: string; value: number; timestamp?: string } {
  if (typeof row !== 'object' || row === null || Object.getPrototypeOf(row) !== Object.prototype) return false;
  const r = row as Record<string, unknown>;
  for (const key in r) if (!VALUE_ROW_KEYS.has(key) || r[key] === undefined) return false;
  return (
    typeof r.model === 'string' &&
    typeof r.version === 'string' &&
    typeof r.metric === 'string' &&
    typeof r.value === 'number' &&
    Number.isFinite(r.value) &&
    (r.timestamp === undefined || typeof r.timestamp === 'string')
  );
}

/**
 * A batch of observations: 1 to {@link MAX_OBSERVATIONS_PER_BATCH}, each as {@link ObservationInput} says. The
 * model, version and metric of a batch repeat, so each distinct value is parsed once (a serving system's batch of
 * 100,000 has a handful); errors name the index of the observation and its field, as a per-item parse would.
 */
export const ObservationBatch = z
  .array(z.unknown())
  .min(1, 'must hold at least one observation')
  .max(MAX_OBSERVATIONS_PER_BATCH, `must hold at most ${MAX_OBSERVATIONS_PER_BATCH} observations`)
  .transform((rows, ctx): ObservationParsed[] => {
    const fields = { model: ModelName, version: SemVer, metric: MetricKey } as const;
    // One memo per field, keyed by the raw string: no key to build per row.
    const seen = {
      model: new Map<string, Checked>(),
      version: new Map<string, Checked>(),
      metric: new Map<string, Checked>(),
    };
    const parsed: ObservationParsed[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const raw = rows[i];
      let row: z.output<typeof BatchRow>;
      if (isPlainValueRow(raw)) row = raw;
      else {
        const p = BatchRow.safeParse(raw);
        if (!p.success) {
          for (const issue of p.error.issues)
            ctx.addIssue({ code: 'custom', path: [i, ...issue.path.map(String)], message: issue.message });
          continue;
        }
        row = p.data;
      }
      // Copied only when a parser changed a value (NFC, trimming, a timestamp in another zone): the row is never
      // written to, so an unchanged one is its own parsed form.
      let out = row as ObservationParsed;
      for (const field of ['model', 'version', 'metric'] as const) {
        const memo = seen[field];
        let r = memo.get(row[field]);
        if (r === undefined) {
          const p = fields[field].safeParse(row[field]);
          r = p.success ? { ok: true, value: p.data } : { ok: false, message: p.error.issues[0]!.message };
          memo.set(row[field], r);
        }
        if (!r.ok) ctx.addIssue({ code: 'custom', path: [i, field], message: r.message });
        else if (r.value !== row[field]) {
          if (out === row) out = { ...row } as ObservationParsed;
          out[field] = r.value;
        }
      }
      if (
        row.timestamp !== undefined &&
        !(CANONICAL_UTC.test(row.timestamp) && Number.isFinite(Date.parse(row.timestamp)))
      ) {
        const p = IsoTimestamp.safeParse(row.timestamp);
        if (p.success) {
          if (out === row) out = { ...row } as ObservationParsed;
          out.timestamp = p.data;
        } else ctx.addIssue({ code: 'custom', path: [i, 'timestamp'], message: p.error.issues[0]!.message });
      }
      parsed[i] = out;
    }
    return parsed;
  });

/** Which stored observations to sum: one metric of one version, buckets starting in [from, to) (ISO 8601). */
export const ObservationQuery = z
  .object({
    model: ModelName,
    version: SemVer,
    metric: MetricKey,
    from: IsoTimestamp.optional(),
    to: IsoTimestamp.optional(),
    quantiles: z
      .array(z.number().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]'))
      .max(20, 'at most 20 quantiles')
      .default([]),
  })
  .strict();
export type ObservationQuery = z.input<typeof ObservationQuery>;

/**
 * The sum of the stored buckets a query covers. `mean` and `variance` (sample, n − 1) are null below 1 and 2
 * observations; `quantiles` maps each asked quantile (as a string, e.g. "0.99") to the sketch's estimate, with 1 %
 * relative accuracy, over the observations recorded as single values (`sketchCount` of them), null when none.
 */
export interface ObservationAggregate {
  model: string;
  version: string;
  metric: string;
  count: number;
  sum: number;
  sumSquares: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  variance: number | null;
  sketchCount: number;
  quantiles: Record<string, number | null>;
  /** Start of the first and last bucket summed (ISO 8601), null when none. */
  firstBucket: string | null;
  lastBucket: string | null;
}

/** The bucket (ISO 8601 start) an instant (ms since the epoch) falls in. */
export function observationBucket(ms: number): string {
  return new Date(Math.floor(ms / OBSERVATION_BUCKET_MS) * OBSERVATION_BUCKET_MS).toISOString();
}

/** Mean and sample variance from sufficient statistics; null where undefined (n < 1, n < 2). */
export function momentsOf(
  count: number,
  sum: number,
  sumSquares: number,
): { mean: number | null; variance: number | null } {
  if (count < 1) return { mean: null, variance: null };
  const mean = sum / count;
  if (count < 2) return { mean, variance: null };
  // Clamp the rounding error of Σx² − n·x̄² at 0: a variance is never negative.
  return { mean, variance: Math.max(0, (sumSquares - count * mean * mean) / (count - 1)) };
}
