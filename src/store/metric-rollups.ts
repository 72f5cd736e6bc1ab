/**
 * Stored rollups of metric series: for each (experiment, key) and each level k of ROLLUP_LEVELS, the points cut into
 * buckets of 2^k steps (bucket b holds steps b·2^k … (b+1)·2^k − 1), and per bucket the count and four points —
 * first and last in series order (step, timestamp, insertion), lowest and highest value (ties: lowest step, then
 * earliest insert). Kept up to date in the transaction that inserts the points, so a downsampled read of a wide
 * window reads O(buckets) rows instead of the series (M4 aggregation).
 * @see Jugel, Jerzak, Hackenbroich, Markl (2014), "M4: A Visualization-Oriented Time Series Data Aggregation",
 *   PVLDB 7(10).
 */
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, Dialect } from './schema';
import { pgNumberArray, pgTextArray } from './pg-arrays';
import { sqliteInsertRows } from './sqlite-bulk';
import type { SqliteStatements } from './transaction';

/**
 * Bucket widths 2^k steps: 64, 256, … 1,048,576. Every second power of two, from 64 up, keeps the write cost low (a
 * 1,000-point batch of consecutive steps touches about 26 rollup rows); a window narrower than 64 buckets' worth of
 * steps per requested point reads the raw points.
 */
export const ROLLUP_LEVELS = [6, 8, 10, 12, 14, 16, 18, 20] as const;

/** A stored point as the rollups see it; `timestamp` as the backend returns it (ISO text on SQLite, Date on pg). */
export interface RollupPoint {
  id: number;
  key: string;
  step: number;
  value: number;
  timestamp: string | Date;
}

/** One bucket's aggregate: the count and the four points M4 keeps. */
export interface RollupBucket {
  key: string;
  level: number;
  bucket: number;
  count: number;
  first: RollupPoint;
  last: RollupPoint;
  min: RollupPoint;
  max: RollupPoint;
}

function tsCompare(a: string | Date, b: string | Date): number {
  // SQLite compares the stored ISO text, PostgreSQL the instant; both orders agree for normalised ISO 8601 UTC.
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Series order: step, then timestamp, then insertion (id). */
export function seriesOrder(a: RollupPoint, b: RollupPoint): number {
  return a.step - b.step || tsCompare(a.timestamp, b.timestamp) || a.id - b.id;
}

/** True when `a` is a better minimum than `b`: lower value, then lower step, then earlier insert. */
function lowerThan(a: RollupPoint, b: RollupPoint): boolean {
  return a.value < b.value || (a.value === b.value && (a.step < b.step || (a.step === b.step && a.id < b.id)));
}

/** True when `a` is a better maximum than `b`: higher value, then lower step, then earlier insert. */
function higherThan(a: RollupPoint, b: RollupPoint): boolean {
  return a.value > b.value || (a.value === b.value && (a.step < b.step || (a.step === b.step && a.id < b.id)));
}

/**
 * Folds `count` points whose first, last, lowest and highest are the given ones (a bucket that `into` covers, or one
 * point as all four) into `into`: the counts add, the four points compete.
 */
function absorb(
  into: RollupBucket,
  count: number,
  first: RollupPoint,
  last: RollupPoint,
  min: RollupPoint,
  max: RollupPoint,
): void {
  into.count += count;
  if (seriesOrder(first, into.first) < 0) into.first = first;
  if (seriesOrder(last, into.last) > 0) into.last = last;
  if (lowerThan(min, into.min)) into.min = min;
  if (higherThan(max, into.max)) into.max = max;
}

/**
 * The buckets of every level that `points` (of one experiment, any keys, any order) fall in, aggregated; per key,
 * the finest level's buckets first, then each coarser level's.
 */
export function aggregate(points: readonly RollupPoint[]): RollupBucket[] {
  const out: RollupBucket[] = [];
  const finest = ROLLUP_LEVELS[0];
  // Per key, the finest level's buckets by number; the last one touched is kept aside, since consecutive points of
  // a training loop mostly fall in the same one.
  const byKey = new Map<string, { buckets: Map<number, RollupBucket>; recent: RollupBucket | undefined }>();
  for (const p of points) {
    let perKey = byKey.get(p.key);
    if (perKey === undefined) {
      perKey = { buckets: new Map(), recent: undefined };
      byKey.set(p.key, perKey);
    }
    const bucket = Math.floor(p.step / 2 ** finest);
    let b = perKey.recent;
    if (b === undefined || b.bucket !== bucket) b = perKey.buckets.get(bucket);
    if (b === undefined) {
      b = { key: p.key, level: finest, bucket, count: 1, first: p, last: p, min: p, max: p };
      perKey.buckets.set(bucket, b);
    } else absorb(b, 1, p, p, p, p);
    perKey.recent = b;
  }
  // A bucket of a coarser level is the union of whole buckets of the finer one (the widths are powers of two), and
  // count, first, last, lowest and highest of a union follow from its parts': each level costs its finer level's
  // buckets, not the points again.
  for (const { buckets } of byKey.values()) {
    let finer = [...buckets.values()];
    out.push(...finer);
    for (let l = 1; l < ROLLUP_LEVELS.length; l++) {
      const level = ROLLUP_LEVELS[l]!;
      const shift = 2 ** (level - ROLLUP_LEVELS[l - 1]!);
      const coarser = new Map<number, RollupBucket>();
      for (const f of finer) {
        const bucket = Math.floor(f.bucket / shift);
        const c = coarser.get(bucket);
        if (c === undefined) coarser.set(bucket, { ...f, level, bucket });
        else absorb(c, f.count, f.first, f.last, f.min, f.max);
      }
      finer = [...coarser.values()];
      out.push(...finer);
    }
  }
  return out;
}

/** Rollup rows per upsert statement: 20 parameters each, far below either backend's bound-parameter limit. */
const UPSERT_CHUNK_ROWS = 1_000;

/** `case when <cond> then excluded.c else metric_rollups.c end` for each column of a point group. */
function takeIf(condition: RawBuilder<unknown>, columns: string[]): Record<string, RawBuilder<unknown>> {
  return Object.fromEntries(
    columns.map((c) => [
      c,
      sql`case when ${condition} then ${sql.ref(`excluded.${c}`)} else ${sql.ref(`metric_rollups.${c}`)} end`,
    ]),
  );
}

const cols = (prefix: string, names: string[]) => names.map((n) => `${prefix}_${n}`);
const tuple = (table: string, names: string[]) => sql.join(names.map((n) => sql.ref(`${table}.${n}`)));

/** metric_rollups' columns in the order of {@link rollupRow}. */
const ROLLUP_COLUMNS = [
  'experiment_id',
  'key',
  'level',
  'bucket',
  'count',
  'first_step',
  'first_ts',
  'first_id',
  'first_value',
  'last_step',
  'last_ts',
  'last_id',
  'last_value',
  'min_value',
  'min_step',
  'min_id',
  'max_value',
  'max_step',
  'max_id',
] as const;

/** One bucket's row, its values in the order of {@link ROLLUP_COLUMNS}, appended to `out`. */
function rollupRow(out: unknown[], experimentId: string, b: RollupBucket): void {
  out.push(
    experimentId,
    b.key,
    b.level,
    b.bucket,
    b.count,
    b.first.step,
    b.first.timestamp,
    b.first.id,
    b.first.value,
    b.last.step,
    b.last.timestamp,
    b.last.id,
    b.last.value,
    b.min.value,
    b.min.step,
    b.min.id,
    b.max.value,
    b.max.step,
    b.max.id,
  );
}

const q = (name: string) => `"${name}"`;
const refs = (table: string, names: string[]) => names.map((n) => `${q(table)}.${q(n)}`).join(', ');
const takeIfText = (condition: string, columns: string[]) =>
  columns.map((c) => `${q(c)} = case when ${condition} then "excluded".${q(c)} else "metric_rollups".${q(c)} end`);

const ROLLUPS_HEAD = `insert into "metric_rollups" (${ROLLUP_COLUMNS.map(q).join(', ')})`;
/**
 * The `on conflict` clause of the merge as text, the one that {@link upsertRollups} builds through Kysely, for the
 * statements of the write path: SQLite's kept statement (see sqliteInsertRows) and PostgreSQL's unnest of arrays.
 */
const ROLLUPS_TAIL = (() => {
  const first = ['first_step', 'first_ts', 'first_id'];
  const last = ['last_step', 'last_ts', 'last_id'];
  const min = ['min_value', 'min_step', 'min_id'];
  const max = ['max_value', 'max_step', 'max_id'];
  const set = [
    `"count" = "metric_rollups"."count" + "excluded"."count"`,
    ...takeIfText(`(${refs('excluded', first)}) < (${refs('metric_rollups', first)})`, [...first, 'first_value']),
    ...takeIfText(`(${refs('excluded', last)}) > (${refs('metric_rollups', last)})`, [...last, 'last_value']),
    ...takeIfText(`(${refs('excluded', min)}) < (${refs('metric_rollups', min)})`, min),
    ...takeIfText(
      `(-"excluded"."max_value", "excluded"."max_step", "excluded"."max_id") < (-"metric_rollups"."max_value", "metric_rollups"."max_step", "metric_rollups"."max_id")`,
      max,
    ),
  ];
  return `on conflict ("experiment_id", "key", "level", "bucket") do update set ${set.join(', ')}`;
})();

/**
 * Merges bucket aggregates into metric_rollups: a new bucket is inserted, an existing one merged in the database
 * (`on conflict do update` with comparisons of the stored and the new point), so concurrent writers of one series
 * never lose each other's points, whichever commits first. The write path names its backend in `via`: `sqlite` (the
 * connection's kept statements, inside inTransaction) binds the rows straight to the kept statement, `postgresArrays`
 * sends one column array per field (timestamps as ISO text or Date); otherwise the statement is built through Kysely.
 */
export async function upsertRollups(
  db: Kysely<Database>,
  experimentId: string,
  buckets: RollupBucket[],
  via: { sqlite?: SqliteStatements; postgresArrays?: boolean } = {},
) {
  if (via.sqlite !== undefined) {
    for (let start = 0; start < buckets.length; start += UPSERT_CHUNK_ROWS) {
      const params: unknown[] = [];
      for (const b of buckets.slice(start, start + UPSERT_CHUNK_ROWS)) rollupRow(params, experimentId, b);
      sqliteInsertRows(via.sqlite, ROLLUPS_HEAD, ROLLUP_COLUMNS.length, params, ROLLUPS_TAIL);
    }
    return;
  }
  if (via.postgresArrays === true) {
    if (buckets.length > 0) await upsertRollupsPostgres(db, experimentId, buckets);
    return;
  }
  const firstCols = cols('first', ['step', 'ts', 'id']);
  const lastCols = cols('last', ['step', 'ts', 'id']);
  const minCols = cols('min', ['value', 'step', 'id']);
  const maxCols = cols('max', ['value', 'step', 'id']);
  const set = {
    count: sql`${sql.ref('metric_rollups.count')} + ${sql.ref('excluded.count')}`,
    ...takeIf(sql`(${tuple('excluded', firstCols)}) < (${tuple('metric_rollups', firstCols)})`, [
      ...firstCols,
      'first_value',
    ]),
    ...takeIf(sql`(${tuple('excluded', lastCols)}) > (${tuple('metric_rollups', lastCols)})`, [
      ...lastCols,
      'last_value',
    ]),
    ...takeIf(sql`(${tuple('excluded', minCols)}) < (${tuple('metric_rollups', minCols)})`, minCols),
    // Highest value first, then the lowest step and id: compare (−value, step, id).
    ...takeIf(
      sql`(-excluded.max_value, excluded.max_step, excluded.max_id) < (-metric_rollups.max_value, metric_rollups.max_step, metric_rollups.max_id)`,
      maxCols,
    ),
  };
  for (let start = 0; start < buckets.length; start += UPSERT_CHUNK_ROWS) {
    const chunk = buckets.slice(start, start + UPSERT_CHUNK_ROWS);
    await db
      .insertInto('metric_rollups')
      .values(
        chunk.map((b) => ({
          experiment_id: experimentId,
          key: b.key,
          level: b.level,
          bucket: b.bucket,
          count: b.count,
          first_step: b.first.step,
          first_ts: b.first.timestamp,
          first_id: b.first.id,
          first_value: b.first.value,
          last_step: b.last.step,
          last_ts: b.last.timestamp,
          last_id: b.last.id,
          last_value: b.last.value,
          min_value: b.min.value,
          min_step: b.min.step,
          min_id: b.min.id,
          max_value: b.max.value,
          max_step: b.max.step,
          max_id: b.max.id,
        })),
      )
      .onConflict((oc) => oc.columns(['experiment_id', 'key', 'level', 'bucket']).doUpdateSet(set as never))
      .execute();
  }
}

/** PostgreSQL's type of each column of {@link ROLLUP_COLUMNS} after experiment_id, for unnest's arrays. */
const PG_ROLLUP_TYPES = [
  'text',
  'int4',
  'int8',
  'int8',
  'int8',
  'timestamptz',
  'int8',
  'float8',
  'int8',
  'timestamptz',
  'int8',
  'float8',
  'float8',
  'int8',
  'int8',
  'float8',
  'int8',
  'int8',
] as const;

const PG_ROLLUPS_TEXT = `${ROLLUPS_HEAD} select $1::text, * from unnest(${PG_ROLLUP_TYPES.map((t, i) => `$${i + 2}::${t}[]`).join(', ')}) ${ROLLUPS_TAIL}`;

/**
 * The merge on PostgreSQL as one statement of 19 parameters, a column array each through unnest (the buckets' timestamps
 * are the ISO text the write path stores), instead of a VALUES list of 19 per bucket built through Kysely.
 */
async function upsertRollupsPostgres(db: Kysely<Database>, experimentId: string, buckets: RollupBucket[]) {
  const columns = PG_ROLLUP_TYPES.map(() => new Array<unknown>(buckets.length));
  const row: unknown[] = [];
  buckets.forEach((b, i) => {
    row.length = 0;
    rollupRow(row, experimentId, b);
    for (let c = 0; c < columns.length; c++) columns[c]![i] = row[c + 1];
  });
  const params = columns.map((values, c) => {
    const type = PG_ROLLUP_TYPES[c];
    if (type === 'text') return pgTextArray(values as string[]);
    // The write path passes the ISO text it stored; a Date (a row read back) is the same instant.
    if (type === 'timestamptz')
      return pgTextArray((values as (string | Date)[]).map((t) => (typeof t === 'string' ? t : t.toISOString())));
    return pgNumberArray(values as number[]);
  });
  await db.executeQuery(CompiledQuery.raw(PG_ROLLUPS_TEXT, [experimentId, ...params]));
}

/** Points per page when the migration back-fills the rollups of points stored before it. */
const BACKFILL_PAGE_ROWS = 20_000;

/**
 * Back-fills metric_rollups from every stored point, in pages of insertion order (keyset on id), through the same
 * aggregate + merge as the write path.
 */
export async function backfillRollups(db: Kysely<Database>): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('metric_points')
      .select(['id', 'experiment_id', 'key', 'step', 'value', 'timestamp'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BACKFILL_PAGE_ROWS)
      .execute();
    if (rows.length === 0) return;
    const byExperiment = new Map<string, RollupPoint[]>();
    for (const r of rows) {
      const list = byExperiment.get(r.experiment_id) ?? [];
      list.push(toRollupPoint(r));
      byExperiment.set(r.experiment_id, list);
    }
    for (const [experimentId, points] of byExperiment) await upsertRollups(db, experimentId, aggregate(points));
    after = Number(rows[rows.length - 1]!.id);
  }
}

/** A metric_points row as a RollupPoint (pg returns int8 as text). */
export function toRollupPoint(r: {
  id: number | string;
  key: string;
  step: number | string;
  value: number | string;
  timestamp: string | Date;
}): RollupPoint {
  return { id: Number(r.id), key: r.key, step: Number(r.step), value: Number(r.value), timestamp: r.timestamp };
}

/** Creates metric_rollups (migration 0006_metric_rollups) and back-fills it from the stored points. */
export async function createMetricRollups(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const pg = dialect === 'postgres';
  const ts = pg ? 'timestamptz' : 'text';
  const int8 = pg ? 'bigint' : 'integer';
  const float = pg ? 'double precision' : 'real';
  let t = db.schema
    .createTable('metric_rollups')
    .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('bucket', int8, (c) => c.notNull())
    .addColumn('count', int8, (c) => c.notNull());
  for (const p of ['first', 'last']) {
    t = t
      .addColumn(`${p}_step`, int8, (c) => c.notNull())
      .addColumn(`${p}_ts`, ts, (c) => c.notNull())
      .addColumn(`${p}_id`, int8, (c) => c.notNull())
      .addColumn(`${p}_value`, float, (c) => c.notNull());
  }
  for (const p of ['min', 'max']) {
    t = t
      .addColumn(`${p}_value`, float, (c) => c.notNull())
      .addColumn(`${p}_step`, int8, (c) => c.notNull())
      .addColumn(`${p}_id`, int8, (c) => c.notNull());
  }
  await t.addPrimaryKeyConstraint('metric_rollups_pkey', ['experiment_id', 'key', 'level', 'bucket']).execute();
  await backfillRollups(db as Kysely<Database>);
}

/** What a downsampled read gets from the rollups: the points of the window, and M4's candidates among them. */
export interface RollupRead {
  /** Points of the series inside the window (exact). */
  count: number;
  /** The first, last, lowest and highest point of each bucket, and every point of a partly covered edge bucket. */
  candidates: { id: number; step: number; value: number }[];
}

async function endStep(db: Kysely<Database>, experimentId: string, key: string, dir: 'asc' | 'desc') {
  const row = await db
    .selectFrom('metric_points')
    .select('step')
    .where('experiment_id', '=', experimentId)
    .where('key', '=', key)
    .orderBy('step', dir)
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.step);
}

/**
 * The candidates of a downsampled read from the rollups, or undefined when the window is too narrow for them (fewer
 * than `minBuckets` buckets of the finest level): the caller then reads the raw points, which is full resolution.
 * The level is the coarsest whose buckets over the window number at least `minBuckets`; buckets inside the window are
 * read from metric_rollups, a bucket only partly inside (an explicit bound that cuts one) from metric_points, so the
 * answer is exact for any window. Rows read: about 2 × buckets + 2 × 2^level, i.e. O(minBuckets). `sqlite`, the
 * SQLite connection's statements, reads the rollup rows without building an object per row.
 */
export async function rollupCandidates(
  db: Kysely<Database>,
  experimentId: string,
  key: string,
  minBuckets: number,
  window: { from?: number; to?: number },
  sqlite?: SqliteStatements,
): Promise<RollupRead | undefined> {
  const minStep = await endStep(db, experimentId, key, 'asc');
  const maxStep = await endStep(db, experimentId, key, 'desc');
  if (minStep === undefined || maxStep === undefined) return { count: 0, candidates: [] };
  // A bound outside the series cuts nothing: the bucket it falls in holds no point beyond it.
  const leftOpen = window.from === undefined || window.from <= minStep;
  const rightOpen = window.to === undefined || window.to >= maxStep;
  const lo = leftOpen ? minStep : window.from!;
  const hi = rightOpen ? maxStep : window.to!;
  if (lo > hi) return { count: 0, candidates: [] };
  const level = [...ROLLUP_LEVELS]
    .reverse()
    .find((k) => Math.floor(hi / 2 ** k) - Math.floor(lo / 2 ** k) + 1 >= minBuckets);
  if (level === undefined) return undefined;
  const width = 2 ** level;
  const firstBucket = leftOpen ? Math.floor(lo / width) : Math.ceil(lo / width);
  const lastBucket = rightOpen ? Math.floor(hi / width) : Math.floor((hi + 1) / width) - 1;
  const query = db
    .selectFrom('metric_rollups')
    .select([...ROLLUP_READ_COLUMNS])
    .where('experiment_id', '=', experimentId)
    .where('key', '=', key)
    .where('level', '=', level)
    .where('bucket', '>=', firstBucket)
    .where('bucket', '<=', lastBucket);
  const rows =
    sqlite === undefined
      ? (await query.execute()).map((r) => ROLLUP_READ_COLUMNS.map((c) => r[c]))
      : await rawRows(db, sqlite, query.compile());
  let count = 0;
  const candidates: RollupRead['candidates'] = [];
  for (const r of rows) {
    count += Number(r[0]);
    for (let c = 1; c < ROLLUP_READ_COLUMNS.length; c += 3)
      candidates.push({ id: Number(r[c]), step: Number(r[c + 1]), value: Number(r[c + 2]) });
  }
  const edges: [number, number][] = [];
  if (lo < firstBucket * width) edges.push([lo, Math.min(hi, firstBucket * width - 1)]);
  if ((lastBucket + 1) * width <= hi) edges.push([Math.max(lo, (lastBucket + 1) * width), hi]);
  for (const [from, to] of edges) {
    const points = await db
      .selectFrom('metric_points')
      .select(['id', 'step', 'value'])
      .where('experiment_id', '=', experimentId)
      .where('key', '=', key)
      .where('step', '>=', from)
      .where('step', '<=', to)
      .execute();
    count += points.length;
    for (const p of points) candidates.push({ id: Number(p.id), step: Number(p.step), value: Number(p.value) });
  }
  return { count, candidates };
}

/**
 * What a downsampled read takes of each rollup row: the count, then id, step and value of the first, last, lowest
 * and highest point. The points' timestamps are not read: pg parses each timestamptz into a Date, which was most of
 * the read's time; the caller fetches them for the kept points alone.
 */
const ROLLUP_READ_COLUMNS = [
  'count',
  'first_id',
  'first_step',
  'first_value',
  'last_id',
  'last_step',
  'last_value',
  'min_id',
  'min_step',
  'min_value',
  'max_id',
  'max_step',
  'max_value',
] as const;

/**
 * SQLite: a compiled query's rows as arrays, straight from the connection: better-sqlite3 building an object of 13
 * named fields per rollup row took about twice as long as the arrays (977 rows: 2.7–3.5 ms against 1.2–1.3 ms) and
 * was most of a downsampled read. It runs under Kysely's hold of the connection, so never inside another request's
 * transaction.
 */
async function rawRows(db: Kysely<Database>, sqlite: SqliteStatements, compiled: CompiledQuery): Promise<unknown[][]> {
  return db.connection().execute(async () => {
    const statement = sqlite.prepare(compiled.sql);
    try {
      return statement.raw(true).all(compiled.parameters) as unknown[][];
    } finally {
      statement.raw(false);
    }
  });
}
