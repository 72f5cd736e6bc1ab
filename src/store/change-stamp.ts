/**
 * Change stamps: what lets a process cache API tokens and A/B test status (the serving hot path) without serving a
 * revoked token or an ended test. A stamp is a string that differs from an earlier one whenever a token or an A/B test
 * may have changed in between; a cache entry is used only while the stamp it was read under is current.
 *
 * - Writes through any store of this process bump {@link localWrites} once they are done, so a revocation or a test's
 *   end made here is seen by the very next request (exact).
 * - SQLite: `PRAGMA data_version` changes whenever another connection (another process: the CLI, a worker, a second
 *   server) commits to the file, so a change made elsewhere is seen by the next request too (exact). Reading it is a
 *   synchronous call on the open connection, with no table read.
 * - PostgreSQL: another replica's change is seen at most {@link POSTGRES_STAMP_MS} later: the stamp also carries the
 *   current window of that length, so no entry outlives the window it was read in.
 */

/** How long, at most, a PostgreSQL replica may act on a token or A/B test status that another replica changed (ms). */
export const POSTGRES_STAMP_MS = 1_000;

let localWrites = 0;

/** Records that a write to the tokens or A/B tests of some store of this process has finished (or failed). */
export function noteCachedTableWrite(): void {
  localWrites += 1;
}

/** A stamp source: called on every cached read, so it must be cheap and synchronous. */
export type ChangeStamp = () => string;

/** The stamp of a SQLite connection: local writes and the file's data version (changed by other connections' commits). */
export function sqliteChangeStamp(dataVersion: () => unknown): ChangeStamp {
  let busy = 0;
  return () => {
    try {
      return `${localWrites}:${String(dataVersion())}`;
    } catch {
      // The connection is inside a streamed read (better-sqlite3 refuses a second statement then): a stamp that
      // matches nothing, so the caller reads the store, whose query waits for the connection as any other.
      busy += 1;
      return `busy:${busy}`;
    }
  };
}

/** The stamp of a PostgreSQL store: local writes and the current {@link POSTGRES_STAMP_MS} window. */
export function postgresChangeStamp(now: () => number = Date.now): ChangeStamp {
  return () => `${localWrites}:${Math.floor(now() / POSTGRES_STAMP_MS)}`;
}

/** Runs a write and bumps the local count when it settles (after its commit, so a reader never caches the old row under the new stamp). */
export async function bumpingAfter<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } finally {
    noteCachedTableWrite();
  }
}
