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
