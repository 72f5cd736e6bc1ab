import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { connectionLossReason } from '../domain/system-errors';
import type { Database, Dialect } from './schema';
import type { SqliteOutcomeWriter } from './sqlite-outcome-writer';

/**
 * The SQLite connection under Kysely, for the few bulk writes where building the statement through Kysely cost more
 * than SQLite's own work (a 1,000-row upsert): statements are prepared once and kept, like Kysely's own. Use it only
 * inside {@link inTransaction}, which holds the one connection, so the statement runs in that transaction.
 */
export interface SqliteStatements {
  prepare(sql: string): {
    run(parameters: readonly unknown[]): { lastInsertRowid: number | bigint };
    /** better-sqlite3's raw mode: rows as arrays of column values (`raw(true)`), or as objects again (`raw(false)`). */
    raw(toggle: boolean): { all(parameters: readonly unknown[]): unknown[] };
  };
}

/** What every store operation needs: the database, its dialect and the clock that stamps rows. */
export interface StoreContext {
  db: Kysely<Database>;
  dialect: Dialect;
  now: () => Date;
  /** SQLite only: the connection's statements (see {@link SqliteStatements}). */
  sqlite?: SqliteStatements;
  /** SQLite only: where outcome batches are written, off this thread (see src/store/sqlite-outcome-writer.ts). */
  outcomeWriter?: SqliteOutcomeWriter;
}

/** A connection inside an open transaction. */
export type Tx = Kysely<Database>;

const MAX_ATTEMPTS = 60;

/** SQLite: another process holds the write lock; a unique index caught a concurrent writer. */
const SQLITE_RETRYABLE = /^SQLITE_(BUSY|LOCKED)|^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/;
/** PostgreSQL SQLSTATEs: serialization_failure, deadlock_detected, unique_violation. */
const PG_RETRYABLE = new Set(['40001', '40P01', '23505']);

/** True for the errors a concurrent writer causes, which a fresh attempt of the whole transaction resolves. */
export function isRetryableConflict(err: unknown): boolean {
  if (err instanceof ModelctlError || typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return SQLITE_RETRYABLE.test(code) || PG_RETRYABLE.has(code);
}

/**
 * Runs `fn` in one transaction and retries the whole of it (fresh reads included) when a concurrent writer
 * conflicts: SQLITE_BUSY past the busy timeout, a unique-index violation, a PostgreSQL serialization failure or
 * deadlock. On SQLite the transaction is `BEGIN IMMEDIATE`, so the write lock is taken before the first read and two
 * processes never both read "highest version is 1.0.3" and then race. ModelctlErrors are never retried.
 * @throws ModelctlError CONFLICT when the conflicts outlast every attempt; UNAVAILABLE when the PostgreSQL connection
 *   is lost (saying whether the write was stored); otherwise whatever `fn` throws.
 */
export async function inTransaction<T>(ctx: StoreContext, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return retryingConflicts(() =>
    ctx.dialect === 'sqlite' ? sqliteImmediate(ctx.db, fn) : postgresTransaction(ctx.db, fn),
  );
}

/**
 * Runs `attempt` (a whole transaction) again while it fails with a conflict a fresh attempt resolves (see
 * {@link isRetryableConflict}), with jittered, capped backoff, at most {@link MAX_ATTEMPTS} times.
 * @throws ModelctlError CONFLICT when the conflicts outlast every attempt; otherwise whatever `attempt` throws.
 */
export async function retryingConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isRetryableConflict(err)) throw err;
      if (n >= MAX_ATTEMPTS) {
        throw new ModelctlError(
          ErrorCode.CONFLICT,
          `the registry stayed busy with concurrent writers after ${MAX_ATTEMPTS} attempts: ${(err as Error).message}`,
        );
      }
      // Jittered, capped backoff so that contending processes spread out instead of colliding in step.
      await sleep(Math.random() * Math.min(200, 5 * 2 ** Math.min(n, 6)));
    }
  }
}

async function sqliteImmediate<T>(db: Kysely<Database>, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}

/**
 * BEGIN … COMMIT on one pooled connection, knowing which of the two a lost connection interrupted: before COMMIT was
 * sent nothing was stored (the server rolls an open transaction back when its session ends); during COMMIT the
 * outcome is unknown to the client, and the message says so rather than guessing.
 */
async function postgresTransaction<T>(db: Kysely<Database>, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    let committing = false;
    try {
      await sql`begin`.execute(conn);
      const result = await fn(conn);
      committing = true;
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      const lost = err instanceof ModelctlError ? undefined : connectionLossReason(err, true);
      if (lost === undefined) {
        if (!committing) await sql`rollback`.execute(conn).catch(() => undefined);
        throw err;
      }
      throw new ModelctlError(
        ErrorCode.UNAVAILABLE,
        committing
          ? `lost the connection to PostgreSQL while the write committed (${lost}): it may or may not have been stored (it is atomic: all of it or nothing); look before retrying`
          : `lost the connection to PostgreSQL before the write committed (${lost}): nothing of it was stored (it is atomic); retry when the database is back`,
        { stored: committing ? 'unknown' : 'no' },
        { cause: err },
      );
    }
  });
}

/**
 * Makes sure the model row exists and, on PostgreSQL, locks it until the transaction ends, so writers of one model
 * (version assignment, production swaps) queue instead of conflicting. SQLite's BEGIN IMMEDIATE already serialises.
 */
export async function lockModel(ctx: StoreContext, trx: Tx, model: string): Promise<void> {
  await trx
    .insertInto('models')
    .values({ name: model, description: null, tags: '[]', created_at: ctx.now().toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  if (ctx.dialect === 'postgres') {
    await trx.selectFrom('models').select('name').where('name', '=', model).forUpdate().execute();
  }
}

/**
 * Runs `write` once per idempotency key: the first call stores its JSON result under the key in the same
 * transaction; a later call with the key returns that stored result without writing again.
 * @param operation names the kind of write; reusing a key for another kind is a CONFLICT.
 */
export async function idempotent<T>(
  ctx: StoreContext,
  trx: Tx,
  key: string | undefined,
  operation: string,
  write: () => Promise<T>,
): Promise<T> {
  if (key === undefined) return write();
  const seen = await trx
    .selectFrom('idempotency_keys')
    .select(['operation', 'result'])
    .where('key', '=', key)
    .executeTakeFirst();
  if (seen !== undefined) {
    if (seen.operation !== operation) {
      throw new ModelctlError(
        ErrorCode.CONFLICT,
        `idempotency key ${JSON.stringify(key)} was already used for ${seen.operation}, not ${operation}`,
      );
    }
    return JSON.parse(seen.result) as T;
  }
  const result = await write();
  await trx
    .insertInto('idempotency_keys')
    .values({ key, operation, result: JSON.stringify(result ?? null), created_at: ctx.now().toISOString() })
    .execute();
  return result;
}
