import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { fromConnectionLoss, fromSystemError } from '../domain/system-errors';
import { migrationProvider } from './migrations';
import type { Database as Schema, Dialect } from './schema';
import { SqlRegistryStore } from './sql-registry-store';
import { sqliteChangeStamp, type ChangeStamp } from './change-stamp';
import type { SqliteStatements } from './transaction';
import { sqliteOutcomeWriter, type SqliteOutcomeWriter } from './sqlite-outcome-writer';
import { configureSqliteConnection } from './sqlite-connection';

/** Where the registry lives: PostgreSQL when `databaseUrl` is set, else a SQLite file. */
export interface StoreConfig {
  /** `postgres://…` or `postgresql://…`; takes precedence over the SQLite settings. */
  databaseUrl?: string;
  /** SQLite file; default `<home>/registry.sqlite` (the path src/config resolves too). */
  sqlitePath?: string;
  /** MODELCTL_HOME; used for the default SQLite file. */
  home?: string;
  /** Clock for row timestamps (tests pin it); default the system clock. */
  now?: () => Date;
  /** PostgreSQL pool size; default 10. */
  poolSize?: number;
}

/** The SQLite file of a registry home. */
export const SQLITE_FILE = 'registry.sqlite';
/** How long a SQLite writer waits for another process's lock before the transaction is retried (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** A URL fit for messages: credentials removed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    // libpq accepts URLs that WHATWG's parser does not (a unix socket: postgresql://user@/db?host=/run/pg): drop the
    // credentials by their place instead.
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
      ? url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1')
      : '(unparseable URL)';
  }
}

function sqliteDb(path: string): { db: Kysely<Schema>; stamp: ChangeStamp; statements: SqliteStatements } {
  mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  // WAL lets readers run beside the one writer; the busy timeout makes a writer wait for another process's lock.
  database.pragma('journal_mode = WAL');
  configureSqliteConnection(database, SQLITE_BUSY_TIMEOUT_MS);
  const dataVersion = database.prepare('PRAGMA data_version').pluck();
  const statements = keepingStatements(database);
  return {
    db: new Kysely<Schema>({ dialect: new SqliteDialect({ database: statements }) }),
    stamp: sqliteChangeStamp(() => dataVersion.get()),
    statements,
  };
}

/** Most prepared statements one SQLite connection keeps (the oldest goes first). */
const KEPT_STATEMENTS = 500;

/**
 * The connection as Kysely sees it, with each SQL text prepared once and kept: preparing cost more than running the
 * short queries of a request (a token lookup, an A/B test read), and a batch insert's thousands of placeholders
 * most of all. A kept statement still iterating (a streamed read) is not shared: the caller gets a fresh one.
 */
function keepingStatements(database: Database.Database): SqliteDatabase & SqliteStatements {
  const kept = new Map<string, Database.Statement>();
  return {
    close: () => {
      kept.clear();
      database.close();
    },
    prepare(sql) {
      const statement = kept.get(sql);
      if (statement !== undefined && !statement.busy) return statement;
      const fresh = database.prepare(sql);
      if (statement === undefined) {
        if (kept.size >= KEPT_STATEMENTS) kept.delete(kept.keys().next().value!);
        kept.set(sql, fresh);
      }
      return fresh;
    },
  };
}

function postgresDb(url: string, poolSize: number): Kysely<Schema> {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ModelctlError(
      ErrorCode.CONFIGURATION,
      `DATABASE_URL must start with postgres:// or postgresql://, got ${redactUrl(url)}`,
    );
  }
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // A client losing its server must not crash the process with an unhandled 'error' event: the pool listens on idle
  // clients only, so every client gets a listener of its own for the time it is checked out (between the queries of
  // a transaction). The query in flight, or the next one, rejects with the error and the store reports it.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}

async function migrate(db: Kysely<Schema>, dialect: Dialect, where: string): Promise<void> {
  // Migration numbers are reserved per feature and may land in any order; each creates its own tables, so a database
  // that already ran a later one still takes an earlier one that arrives afterwards.
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), allowUnorderedMigrations: true });
  // PostgreSQL migrations hold an advisory lock; SQLite's have none, so processes opening a new file at once may
  // collide: the loser retries and then finds the migrations done.
  for (let attempt = 1; ; attempt++) {
    const { error } = await migrator.migrateToLatest();
    if (error === undefined) return;
    // A full disk, a denied permission or a database that went away does not pass with retries.
    const system = fromConnectionLoss(error, `PostgreSQL at ${where}`) ?? fromSystemError(error, where);
    if (system !== undefined) throw system;
    if (dialect === 'postgres' || attempt >= 20) {
      const message = error instanceof Error ? error.message : String(error);
      const code = /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ENOENT|does not exist|authentication/i.test(message)
        ? ErrorCode.UNAVAILABLE
        : ErrorCode.CONFIGURATION;
      throw new ModelctlError(code, `cannot open the registry at ${where}: ${message}`);
    }
    await sleep(20 * attempt);
  }
}

/**
 * Opens the registry store: PostgreSQL when `databaseUrl` is set, else SQLite (WAL mode, busy timeout) at
 * `sqlitePath` or `<home>/registry.sqlite`. Runs pending migrations before returning.
 * @throws ModelctlError CONFIGURATION (bad URL, migration failure), UNAVAILABLE (database unreachable)
 */
export async function openStore(config: StoreConfig): Promise<SqlRegistryStore> {
  let dialect: Dialect;
  let db: Kysely<Schema>;
  let where: string;
  let raw: { stamp?: ChangeStamp; sqlite?: SqliteStatements; outcomeWriter?: SqliteOutcomeWriter } = {};
  if (config.databaseUrl !== undefined && config.databaseUrl !== '') {
    dialect = 'postgres';
    where = redactUrl(config.databaseUrl);
    db = postgresDb(config.databaseUrl, config.poolSize ?? 10);
  } else {
    const path = config.sqlitePath ?? join(config.home ?? '.modelctl', SQLITE_FILE);
    dialect = 'sqlite';
    where = path;
    const opened = sqliteDb(path);
    db = opened.db;
    raw = {
      stamp: opened.stamp,
      sqlite: opened.statements,
      outcomeWriter: sqliteOutcomeWriter(path, SQLITE_BUSY_TIMEOUT_MS),
    };
  }
  try {
    await migrate(db, dialect, where);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return new SqlRegistryStore(db, dialect, config.now, raw);
}
