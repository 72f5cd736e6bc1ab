import { sql } from 'kysely';
import { z } from 'zod';
import { createLTTB } from 'downsample';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { assertFiniteMetricPoints, ExperimentId, MetricPointInput, type MetricPoint } from '../domain/experiment';
import { checkedStorePoints, type CheckedMetricPoint } from '../domain/metric-batch';
import { IsoTimestamp } from '../domain/timestamp';
import { DownsampleSchema, MetricHistorySchema, parseArg } from './inputs';
import type { DownsampleQuery, MetricPage } from './registry-store';
import { iso } from './rows';
import { pgNumberArray, pgTextArray } from './pg-arrays';
import { sqliteInsertRows } from './sqlite-bulk';
import { idempotent, inTransaction, type StoreContext, type Tx } from './transaction';
import { assertExperimentExists } from './experiments';
import { minMaxPreselect, seriesExtent, seriesKeys, type SeriesRow } from './metric-series';
import { aggregate, rollupCandidates, upsertRollups, type RollupPoint } from './metric-rollups';

/** Rows per INSERT: 5 parameters each stays far below SQLite's 32 766 and PostgreSQL's 65 535 bound parameters. */
export const METRIC_CHUNK_ROWS = 1_000;

/** Most points one logMetrics call takes. */
const MAX_BATCH_POINTS = 1_000_000;

/** The store's schema of a batch: the timestamps normalised to UTC ISO 8601. */
export const MetricBatch = z
  .array(MetricPointInput.extend({ timestamp: IsoTimestamp.optional() }))
  .max(MAX_BATCH_POINTS);

/** See RegistryStore.logMetrics. */
export async function logMetrics(
  ctx: StoreContext,
  rawId: string,
  rawPoints: unknown[],
  options: { idempotencyKey?: string } = {},
): Promise<number> {
  const id = parseArg('experimentId', ExperimentId, rawId, 'experiment reference');
  const points = checkedStorePoints(rawPoints, MAX_BATCH_POINTS) ?? parseMetricBatch(rawPoints);
  const loggedAt = ctx.now().toISOString();
  return inTransaction(ctx, async (trx) => {
    const status = await assertExperimentExists(trx, id);
    return idempotent(ctx, trx, options.idempotencyKey, 'logMetrics', async () => {
      // An ended experiment's series and summary are its record; points arriving later would rewrite them. (A replay
      // of a batch stored before the end still returns its first answer, above.)
      if (status !== 'RUNNING')
        throw new ModelctlError(
          ErrorCode.REFUSED,
          `experiment ${id} is ${status}; metrics are logged only while it runs`,
          { experimentId: id, status },
        );
      const stored: RollupPoint[] = [];
      for (let start = 0; start < points.length; start += METRIC_CHUNK_ROWS) {
        const chunk = points.slice(start, start + METRIC_CHUNK_ROWS).map((p) => ({
          experiment_id: id,
          key: p.key,
          value: p.value,
          step: p.step,
          timestamp: p.timestamp ?? loggedAt,
        }));
        const ids = await insertPoints(trx, ctx, chunk);
        chunk.forEach((p, i) =>
          stored.push({ id: ids[i]!, key: p.key, step: p.step, value: p.value, timestamp: p.timestamp }),
        );
      }
      // Same transaction: a reader never sees points that the rollups do not count.
      await upsertRollups(trx, id, aggregate(stored), {
        sqlite: ctx.sqlite,
        postgresArrays: ctx.dialect === 'postgres',
      });
      return points.length;
    });
  });
}

/** The full check of a batch that the fast one did not accept: the first non-finite value, else the one zod error line. */
function parseMetricBatch(rawPoints: unknown): CheckedMetricPoint[] {
  if (Array.isArray(rawPoints)) assertFiniteMetricPoints(rawPoints);
  return parseInput(MetricBatch, rawPoints, 'metric points');
}

const SQLITE_POINTS_HEAD = 'insert into "metric_points" ("experiment_id", "key", "value", "step", "timestamp")';

/**
 * Inserts one chunk of points and returns their ids in the chunk's order. One INSERT numbers its rows in the order of
 * its VALUES (SQLite: consecutive rowids ending at last_insert_rowid, the writer holding the database's one write
 * lock; PostgreSQL: nextval per row, in order, so sorting the returned ids restores it whatever order RETURNING uses).
 */
async function insertPoints(
  trx: Tx,
  ctx: StoreContext,
  rows: { experiment_id: string; key: string; value: number; step: number; timestamp: string }[],
): Promise<number[]> {
  if (ctx.sqlite !== undefined) {
    // Bound straight to the kept statement: Kysely's builder cost as much as SQLite's insert of the chunk.
    const params: unknown[] = new Array(rows.length * 5);
    rows.forEach((r, i) => {
      params[i * 5] = r.experiment_id;
      params[i * 5 + 1] = r.key;
      params[i * 5 + 2] = r.value;
      params[i * 5 + 3] = r.step;
      params[i * 5 + 4] = r.timestamp;
    });
    const last = Number(sqliteInsertRows(ctx.sqlite, SQLITE_POINTS_HEAD, 5, params).lastInsertRowid);
    return rows.map((_, i) => last - rows.length + 1 + i);
  }
  if (ctx.dialect === 'sqlite') {
    const { insertId } = await trx.insertInto('metric_points').values(rows).executeTakeFirstOrThrow();
    const last = Number(insertId);
    return rows.map((_, i) => last - rows.length + 1 + i);
  }
  return insertPointsPostgres(trx, rows);
}

/**
 * PostgreSQL: one column array per field through unnest, so the statement has five parameters whatever the chunk's
 * size (a VALUES list of 5,000 parameters cost more to build, bind and plan than PostgreSQL's insert itself), and one
 * answer row, the ids as one array, instead of one row per point.
 */
async function insertPointsPostgres(
  trx: Tx,
  rows: { experiment_id: string; key: string; value: number; step: number; timestamp: string }[],
): Promise<number[]> {
  const n = rows.length;
  const keys = new Array<string>(n);
  const values = new Array<number>(n);
  const steps = new Array<number>(n);
  const timestamps = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    keys[i] = r.key;
    values[i] = r.value;
    steps[i] = r.step;
    timestamps[i] = r.timestamp;
  }
  // unnest yields the rows in array order and the id default draws nextval per row in that order, as a VALUES list
  // does; ordering the ids restores it even if a concurrent writer drew from the sequence in between.
  const { rows: answer } = await sql<{ ids: string[] }>`
    with inserted as (
      insert into "metric_points" ("experiment_id", "key", "value", "step", "timestamp")
      select ${rows[0]!.experiment_id}::text, * from unnest(${pgTextArray(keys)}::text[], ${pgNumberArray(values)}::float8[], ${pgNumberArray(steps)}::int8[], ${pgTextArray(timestamps)}::timestamptz[])
      returning "id"
    )
    select array_agg("id" order by "id") as ids from inserted`.execute(trx);
  const ids = answer[0]!.ids;
  return ids.map(Number);
}

export async function metricKeys(ctx: StoreContext, rawId: string): Promise<string[]> {
  const id = parseArg('experimentId', ExperimentId, rawId, 'experiment reference');
  return seriesKeys(ctx.db, id);
}

const Cursor = z.tuple([z.number().int().min(0), z.string(), z.number().int()]);

function encodeCursor(step: number, timestamp: string, id: number): string {
  return Buffer.from(JSON.stringify([step, timestamp, id])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string, number] {
  try {
    const parsed = Cursor.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the one error below
  }
  throw new ModelctlError(
    ErrorCode.INVALID_INPUT,
    'invalid metric history query: after: not a cursor returned by metricHistory',
  );
}

/** See RegistryStore.metricHistory: keyset paging on (step, timestamp, id), stable while points are appended. */
export async function metricHistory(
  ctx: StoreContext,
  raw: { experimentId: string; key: string; after?: string; limit?: number },
): Promise<MetricPage> {
  const q = parseInput(MetricHistorySchema, raw, 'metric history query');
  let query = ctx.db
    .selectFrom('metric_points')
    .select(['id', 'key', 'value', 'step', 'timestamp'])
    .where('experiment_id', '=', q.experimentId)
    .where('key', '=', q.key);
  if (q.after !== undefined) {
    const [step, timestamp, id] = decodeCursor(q.after);
    // A row-value comparison lets SQLite and PostgreSQL seek the series index instead of filtering an OR.
    query = query.where((eb) => eb(eb.refTuple('step', 'timestamp', 'id'), '>', eb.tuple(step, timestamp, id)));
  }
  // One row more than asked tells whether another page exists without a count query.
  const rows = await query
    .orderBy('step')
    .orderBy('timestamp')
    .orderBy('id')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    points: page.map((r) => ({
      key: r.key,
      value: Number(r.value),
      step: Number(r.step),
      timestamp: iso(r.timestamp),
    })),
    nextCursor:
      rows.length > q.limit && last !== undefined
        ? encodeCursor(Number(last.step), iso(last.timestamp), Number(last.id))
        : null,
  };
}

type Downsample = z.infer<typeof DownsampleSchema>;

const lttb = createLTTB<SeriesRow>({ x: (r) => r.step, y: (r) => r.value });

/** Rows per `id in (…)` lookup of the kept points' timestamps. */
const ID_LOOKUP_CHUNK = 1_000;

/**
 * Candidates per output point that MinMax preselection keeps (the paper's ratio): a series with more rows than
 * `maxPoints × MINMAX_RATIO` is preselected in the database, a shorter one is read whole.
 */
const MINMAX_RATIO = 4;

/**
 * Output points per rollup bucket asked for: the level is the coarsest with at least maxPoints / 2 buckets. Each bucket
 * gives four candidates (M4), so LTTB still chooses among at least 2 × maxPoints; asking for maxPoints buckets instead
 * read up to 4 × maxPoints rows (3,907 at a million points for 1,000), since levels are two powers of two apart.
 */
const POINTS_PER_BUCKET = 2;

/**
 * See RegistryStore.downsampledMetrics. A window at least maxPoints / 2 buckets wide at the finest rollup level reads
 * the stored rollups (rollupCandidates: first, last, lowest and highest point of each of maxPoints / 2 … 2 × maxPoints
 * buckets of the coarsest level that has that many, M4) and LTTB picks maxPoints among those candidates; a million-point
 * series reads a few thousand rows. A narrower window, or one of at most maxPoints × 4 points, reads the raw points:
 * whole (then LTTB) when they are few, else through MinMax preselection in the database (minMaxPreselect, MinMaxLTTB).
 * Timestamps, a string or Date per row, are fetched for the kept points alone.
 */
export async function downsampledMetrics(ctx: StoreContext, raw: DownsampleQuery): Promise<MetricPoint[]> {
  const q = parseInput(DownsampleSchema, raw, 'downsample query');
  const window = { from: q.stepFrom, to: q.stepTo };
  const fromRollups = await rollupCandidates(
    ctx.db,
    q.experimentId,
    q.key,
    Math.ceil(q.maxPoints / POINTS_PER_BUCKET),
    window,
    ctx.sqlite,
  );
  let candidates: SeriesRow[];
  if (fromRollups !== undefined && fromRollups.count > q.maxPoints * MINMAX_RATIO) {
    const byId = new Map<number, SeriesRow>();
    for (const c of fromRollups.candidates) byId.set(c.id, c);
    // Same steps are rare among candidates; (step, id) orders them as the series does unless a late insert carries
    // an earlier timestamp, which the final sort in keepAndStamp settles for the kept points.
    candidates = [...byId.values()].sort((a, b) => a.step - b.step || a.id - b.id);
  } else {
    if (fromRollups?.count === 0) return [];
    candidates = await rawCandidates(ctx, q, window);
    if (candidates.length === 0) return [];
  }
  return keepAndStamp(ctx, q, candidates);
}

/** The raw path, in series order: every point of a window of few points, or MinMax candidates of a longer one. */
async function rawCandidates(
  ctx: StoreContext,
  q: Downsample,
  window: { from?: number; to?: number },
): Promise<SeriesRow[]> {
  const extent = await seriesExtent(ctx.db, q.experimentId, q.key, window);
  if (extent.count === 0) return [];
  if (extent.count > q.maxPoints * MINMAX_RATIO) {
    const preselected = await minMaxPreselect(
      ctx.db,
      ctx.dialect,
      q.experimentId,
      q.key,
      (q.maxPoints * MINMAX_RATIO) / 2,
      extent,
      window,
    );
    return preselected.sort((a, b) => a.step - b.step || a.id - b.id);
  }
  let query = ctx.db
    .selectFrom('metric_points')
    .select(['id', 'step', 'value'])
    .where('experiment_id', '=', q.experimentId)
    .where('key', '=', q.key);
  if (q.stepFrom !== undefined) query = query.where('step', '>=', q.stepFrom);
  if (q.stepTo !== undefined) query = query.where('step', '<=', q.stepTo);
  const rows = await query.orderBy('step').orderBy('timestamp').orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), step: Number(r.step), value: Number(r.value) }));
}

/** LTTB down to maxPoints over candidates in series order, then the kept points' timestamps, in series order. */
async function keepAndStamp(ctx: StoreContext, q: Downsample, candidates: SeriesRow[]): Promise<MetricPoint[]> {
  const kept = lttbOf(candidates, q.maxPoints);
  const timestamps = new Map<number, string>();
  for (let start = 0; start < kept.length; start += ID_LOOKUP_CHUNK) {
    const ids = kept.slice(start, start + ID_LOOKUP_CHUNK).map((r) => r.id);
    const found = await ctx.db.selectFrom('metric_points').select(['id', 'timestamp']).where('id', 'in', ids).execute();
    for (const f of found) timestamps.set(Number(f.id), iso(f.timestamp));
  }
  // A point missing now went with its experiment between the reads; the answer is then what is left.
  return kept
    .filter((r) => timestamps.has(r.id))
    .map((r) => ({ id: r.id, point: { key: q.key, value: r.value, step: r.step, timestamp: timestamps.get(r.id)! } }))
    .sort((a, b) => a.point.step - b.point.step || compareText(a.point.timestamp, b.point.timestamp) || a.id - b.id)
    .map((r) => r.point);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** LTTB down to `maxPoints` of a series in order; with two points allowed, the first and last (LTTB needs three buckets). */
function lttbOf<T extends SeriesRow>(series: T[], maxPoints: number): T[] {
  if (series.length <= maxPoints) return series;
  if (maxPoints === 2) return [series[0]!, series[series.length - 1]!];
  return Array.from(lttb(series, maxPoints)) as T[];
}
