/**
 * Queries over the series index metric_points(experiment_id, key, step, timestamp, id) whose cost follows the number
 * of keys, not of points: an experiment with a million points of one key answers them in one or two index seeks.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from './transaction';

/**
 * The distinct keys of an experiment as a recursive CTE named `keys(key)` (a skip-scan: each step seeks the next key
 * in the index). SQLite and PostgreSQL would otherwise read every index entry of the experiment for a DISTINCT.
 */
function keysCte(experimentId: string): RawBuilder<unknown> {
  return sql`with recursive keys(key) as (
      select min(key) from metric_points where experiment_id = ${experimentId}
      union all
      select (select min(m.key) from metric_points m where m.experiment_id = ${experimentId} and m.key > keys.key)
      from keys where keys.key is not null
    )`;
}

/** The metric keys of an experiment, sorted. */
export async function seriesKeys(db: Tx, experimentId: string): Promise<string[]> {
  const { rows } = await sql<{ key: string }>`${keysCte(experimentId)}
    select key from keys where key is not null order by key`.execute(db);
  return rows.map((r) => r.key);
}

/** The last logged value of every key, by (step, timestamp, insertion order): one index seek per key. */
export async function lastValues(db: Tx, experimentId: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ key: string; value: number | string }>`${keysCte(experimentId)}
    select keys.key as key,
      (select m.value from metric_points m where m.experiment_id = ${experimentId} and m.key = keys.key
        order by m.step desc, m.timestamp desc, m.id desc limit 1) as value
    from keys where keys.key is not null order by keys.key`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.key, Number(r.value)]));
}

/** An inclusive step range of a series; an absent bound is open. */
export interface StepWindow {
  from?: number;
  to?: number;
}

/** The SQL condition of a window on `step` (true when the window is open on both sides). */
function inWindow(window: StepWindow): RawBuilder<unknown> {
  const from = window.from === undefined ? sql`true` : sql`step >= ${window.from}`;
  const to = window.to === undefined ? sql`true` : sql`step <= ${window.to}`;
  return sql`${from} and ${to}`;
}

/** A series point as the downsampling reads it. */
export interface SeriesRow {
  id: number;
  step: number;
  value: number;
}

/** Count and step range of one series, through the series index. */
export async function seriesExtent(
  db: Tx,
  experimentId: string,
  key: string,
  window: StepWindow = {},
): Promise<{ count: number; minStep: number; maxStep: number }> {
  let query = db
    .selectFrom('metric_points')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('count'),
      eb.fn.min<number | string>('step').as('min_step'),
      eb.fn.max<number | string>('step').as('max_step'),
    ])
    .where('experiment_id', '=', experimentId)
    .where('key', '=', key);
  if (window.from !== undefined) query = query.where('step', '>=', window.from);
  if (window.to !== undefined) query = query.where('step', '<=', window.to);
  const row = await query.executeTakeFirstOrThrow();
  return { count: Number(row.count), minStep: Number(row.min_step ?? 0), maxStep: Number(row.max_step ?? 0) };
}

/**
 * MinMax preselection for MinMaxLTTB: the series' step range cut into `buckets` equal-width buckets, and in each the
 * point with the lowest and the one with the highest value (ties: the lowest step, then the earliest insert), plus
 * the first and last points of the series (of its `window`, when given). Runs inside the database, so a million-point series sends a few thousand
 * rows to the client instead of every one. Order of the result: unspecified; ids are unique.
 * @see Van Der Donckt, Van Der Donckt, Rademaker, Van Hoecke (2023), "MinMaxLTTB: Leveraging MinMax-Preselection to
 *   Scale LTTB", IEEE VIS 2023, arXiv:2305.00332.
 */
export async function minMaxPreselect(
  db: Tx,
  dialect: 'sqlite' | 'postgres',
  experimentId: string,
  key: string,
  buckets: number,
  extent: { minStep: number; maxStep: number },
  window: StepWindow = {},
): Promise<SeriesRow[]> {
  const within = inWindow(window);
  const width = extent.maxStep - extent.minStep + 1;
  const toRows = (rows: { id: number | string; step: number | string; value: number | string }[]) =>
    rows.map((r) => ({ id: Number(r.id), step: Number(r.step), value: Number(r.value) }));
  const ends = toRows([
    ...(
      await sql<SeriesRow>`select id, step, value from metric_points where experiment_id = ${experimentId} and key = ${key} and ${within} order by step, timestamp, id limit 1`.execute(
        db,
      )
    ).rows,
    ...(
      await sql<SeriesRow>`select id, step, value from metric_points where experiment_id = ${experimentId} and key = ${key} and ${within} order by step desc, timestamp desc, id desc limit 1`.execute(
        db,
      )
    ).rows,
  ]);
  let extremes: SeriesRow[];
  if (dialect === 'postgres') {
    // min/max over (value, ±step, ±id) arrays: the extreme value with a deterministic tie-break, in one hash aggregate.
    const { rows } = await sql<{ lo: number[]; hi: number[] }>`
      select min(array[value, step::float8, id::float8]) as lo, max(array[value, -step::float8, -id::float8]) as hi
      from metric_points where experiment_id = ${experimentId} and key = ${key} and ${within}
      group by floor((step - ${extent.minStep})::float8 * ${buckets} / ${width})`.execute(db);
    extremes = rows.flatMap((r) => [
      { id: r.lo[2]!, step: r.lo[1]!, value: r.lo[0]! },
      { id: -r.hi[2]!, step: -r.hi[1]!, value: r.hi[0]! },
    ]);
  } else {
    // SQLite returns the bare columns of the row that holds a lone min() or max(): the first such row in index order.
    const bucket = sql`cast((step - ${extent.minStep}) * 1.0 * ${buckets} / ${width} as integer)`;
    const { rows } = await sql<SeriesRow>`
      select id, step, value from (select id, step, min(value) as value from metric_points where experiment_id = ${experimentId} and key = ${key} and ${within} group by ${bucket})
      union all
      select id, step, value from (select id, step, max(value) as value from metric_points where experiment_id = ${experimentId} and key = ${key} and ${within} group by ${bucket})`.execute(
      db,
    );
    extremes = toRows(rows);
  }
  const byId = new Map<number, SeriesRow>();
  for (const r of [...ends, ...extremes]) byId.set(r.id, r);
  return [...byId.values()];
}
