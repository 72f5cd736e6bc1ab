import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore, type StoreConfig } from '../../src/store';
import type { SqlRegistryStore } from '../../src/store/sql-registry-store';
import type { ArtifactRef } from '../../src/domain/model-version';
import { createTestDatabase } from './postgres';

export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

/** A clock the test moves by hand, so timestamps and "production at T" are exact. */
export interface TestClock {
  now: () => Date;
  advance(ms: number): string;
  iso(): string;
}

export function testClock(start = '2025-01-01T00:00:00.000Z'): TestClock {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance(ms) {
      t += ms;
      return new Date(t).toISOString();
    },
    iso: () => new Date(t).toISOString(),
  };
}

/** A location for a fresh registry on one backend: an empty SQLite file or an empty PostgreSQL database. */
export interface TestRegistryLocation {
  backend: Backend;
  config: StoreConfig;
  /** Runs one SQL statement outside the store, to prove what the database itself enforces. */
  rawExec(statement: string): Promise<void>;
  dispose(): Promise<void>;
}

export async function freshLocation(backend: Backend): Promise<TestRegistryLocation> {
  if (backend === 'sqlite') {
    const home = mkdtempSync(join(tmpdir(), 'modelctl-store-'));
    const sqlitePath = join(home, 'registry.db');
    return {
      backend,
      config: { home, sqlitePath },
      async rawExec(statement) {
        const db = new Database(sqlitePath);
        try {
          db.exec(statement);
        } finally {
          db.close();
        }
      },
      dispose: async () => rmSync(home, { recursive: true, force: true }),
    };
  }
  const database = await createTestDatabase();
  return {
    backend,
    config: { databaseUrl: database.url },
    async rawExec(statement) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    },
    dispose: () => database.drop(),
  };
}

/** A fresh store on `backend` with a pinned clock; `dispose()` closes it and removes its data. */
export async function openTestStore(backend: Backend, clock: TestClock = testClock()) {
  const location = await freshLocation(backend);
  const store: SqlRegistryStore = await openStore({ ...location.config, now: clock.now });
  return {
    store,
    clock,
    location,
    async dispose() {
      await store.close();
      await location.dispose();
    },
  };
}

/** An artifact reference for store tests, where the bytes themselves are not the subject. */
export function artifactRef(seed: string): ArtifactRef {
  const sha256 = Buffer.from(seed.padEnd(32, '.').slice(0, 32)).toString('hex');
  return {
    uri: `file:///artifacts/sha256/${sha256.slice(0, 2)}/${sha256}`,
    sha256,
    sizeBytes: seed.length,
    mediaType: 'application/octet-stream',
  };
}

/** Registers one version of `model` per seed (1.0.0, 1.0.1, …) with empty config and metrics. */
export async function seedVersions(store: SqlRegistryStore, model: string, seeds: readonly string[]): Promise<void> {
  for (const seed of seeds) {
    await store.createVersion({
      model,
      artifact: artifactRef(seed),
      config: {},
      metrics: {},
      git: null,
      gitReason: 'none',
      author: 'a',
    });
  }
}
