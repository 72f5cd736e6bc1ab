import type Database from 'better-sqlite3';

/**
 * The per-connection settings of every connection to a registry's SQLite file (the store's and its outcome writer
 * thread's): a writer waits up to `busyTimeoutMs` milliseconds for another connection's lock instead of failing at
 * once, foreign keys are enforced, and commits sync at WAL checkpoints only (NORMAL: safe in WAL mode).
 */
export function configureSqliteConnection(database: Database.Database, busyTimeoutMs: number): void {
  database.pragma(`busy_timeout = ${busyTimeoutMs}`);
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
}
