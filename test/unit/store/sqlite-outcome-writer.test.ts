import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AbTestInput } from '../../../src/domain/ab-test';
import { openStore } from '../../../src/store';
import { claimAbTestStart } from '../../../src/store/ab-test-runs';
import { sqliteOutcomeWriter } from '../../../src/store/sqlite-outcome-writer';
import type { SqlRegistryStore } from '../../../src/store/sql-registry-store';
import { expectModelctlError } from '../../helpers/errors';
import { seedVersions, testClock } from '../../helpers/store';

/** Model ctr with versions 1.0.0 and 1.0.1, and A/B test `id` between them, running since `startedAt`. */
async function runningTest(store: SqlRegistryStore, id: string, startedAt: string): Promise<void> {
  await seedVersions(store, 'ctr', ['a', 'b']);
  const definition = AbTestInput.parse({ id, model: 'ctr', control: '1.0.0', treatment: '1.0.1', duration: '7d' });
  await claimAbTestStart(store, { id, definition, workflowId: `abtest-${id}`, startedAt });
}

/** A SQLite registry in a fresh directory with A/B test ab-1 running, and a raw connection to read its rows. */
async function registry(): Promise<{ home: string; file: string; store: SqlRegistryStore; rows: () => unknown[] }> {
  const home = mkdtempSync(join(tmpdir(), 'modelctl-writer-'));
  const file = join(home, 'registry.sqlite');
  const clock = testClock();
  const store = await openStore({ sqlitePath: file, now: clock.now });
  await runningTest(store, 'ab-1', clock.iso());
  const rows = () => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('select unit_id, arm, value, recorded_at from ab_outcomes order by unit_id').all();
    } finally {
      db.close();
    }
  };
  return { home, file, store, rows };
}

describe('the SQLite outcome writer thread', () => {
  let r: Awaited<ReturnType<typeof registry>>;
  beforeEach(async () => {
    r = await registry();
  });
  afterEach(async () => {
    await r.store.close();
    rmSync(r.home, { recursive: true, force: true });
  });

  test('writes a batch of several statements in one transaction, and batches given together land in order', async () => {
    const writer = sqliteOutcomeWriter(r.file, 5_000);
    try {
      const batch = Array.from({ length: 2_345 }, (_, i) => ({
        unitId: `u${String(i).padStart(5, '0')}`,
        arm: i % 3 === 0 ? ('treatment' as const) : ('control' as const),
        value: i / 10,
      }));
      // Given without waiting: the second re-records u00001 and must win.
      const written = await Promise.all([
        writer.write('ab-1', batch, '2025-01-01T00:00:01.000Z'),
        writer.write('ab-1', [{ unitId: 'u00001', arm: 'treatment', value: 42 }], '2025-01-01T00:00:02.000Z'),
      ]);
      expect(written).toEqual([2_345, 1]);
      const rows = r.rows() as { unit_id: string; arm: string; value: number; recorded_at: string }[];
      expect(rows).toHaveLength(2_345);
      expect(rows[0]).toEqual({
        unit_id: 'u00000',
        arm: 'treatment',
        value: 0,
        recorded_at: '2025-01-01T00:00:01.000Z',
      });
      expect(rows[1]).toEqual({
        unit_id: 'u00001',
        arm: 'treatment',
        value: 42,
        recorded_at: '2025-01-01T00:00:02.000Z',
      });
      expect(rows[2_344]).toEqual({
        unit_id: 'u02344',
        arm: 'control',
        value: 234.4,
        recorded_at: '2025-01-01T00:00:01.000Z',
      });
      // The store's own connection reads what the thread committed.
      const aggregate = await r.store.aggregateOutcomes('ab-1');
      expect(aggregate.control.units + aggregate.treatment.units).toBe(2_345);
    } finally {
      await writer.close();
    }
  });

  test('an unknown test is NOT_FOUND and writes nothing', async () => {
    await expectModelctlError(
      r.store.recordOutcomes('no-such-test', [{ unitId: 'u1', arm: 'control', value: 1 }]),
      'NOT_FOUND',
      /no-such-test/,
    );
    expect(r.rows()).toEqual([]);
  });

  test('a write lock held elsewhere: the thread answers SQLITE_BUSY and rolls back; the store retries until it is free', async () => {
    const holder = new Database(r.file);
    holder.pragma('busy_timeout = 5000');
    holder.exec('begin immediate');
    const writer = sqliteOutcomeWriter(r.file, 50);
    try {
      await expect(
        writer.write('ab-1', [{ unitId: 'u1', arm: 'control', value: 1 }], '2025-01-01T00:00:00.000Z'),
      ).rejects.toMatchObject({
        code: 'SQLITE_BUSY',
      });
      const stored = r.store.recordOutcomes('ab-1', [{ unitId: 'u2', arm: 'treatment', value: 0 }]);
      let settled = false;
      void stored.finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      holder.exec('commit');
      await expect(stored).resolves.toBe(1);
      expect(r.rows()).toEqual([
        { unit_id: 'u2', arm: 'treatment', value: 0, recorded_at: '2025-01-01T00:00:00.000Z' },
      ]);
    } finally {
      if (holder.inTransaction) holder.exec('rollback');
      holder.close();
      await writer.close();
    }
  });

  test('a thread that cannot open its file fails the write with UNAVAILABLE, and the next write starts a new thread', async () => {
    const dir = join(r.home, 'later');
    const file = join(dir, 'registry.sqlite');
    const writer = sqliteOutcomeWriter(file, 5_000);
    try {
      await expectModelctlError(
        writer.write('ab-1', [{ unitId: 'u1', arm: 'control', value: 1 }], '2025-01-01T00:00:00.000Z'),
        'UNAVAILABLE',
        /^the outcome writer of .*later\/registry\.sqlite stopped: Cannot open database because the directory does not exist$/,
      );
      mkdirSync(dir);
      const store = await openStore({ sqlitePath: file });
      try {
        await runningTest(store, 'ab-2', new Date().toISOString());
        await expect(
          writer.write('ab-2', [{ unitId: 'u1', arm: 'control', value: 1 }], '2025-01-01T00:00:00.000Z'),
        ).resolves.toBe(1);
        expect((await store.aggregateOutcomes('ab-2')).control.units).toBe(1);
      } finally {
        await store.close();
      }
    } finally {
      await writer.close();
    }
  });

  test('close lets the writes already given finish', async () => {
    const writer = sqliteOutcomeWriter(r.file, 5_000);
    const written = writer.write('ab-1', [{ unitId: 'u9', arm: 'control', value: 0.5 }], '2025-01-01T00:00:00.000Z');
    await writer.close();
    await expect(written).resolves.toBe(1);
    expect(r.rows()).toEqual([{ unit_id: 'u9', arm: 'control', value: 0.5, recorded_at: '2025-01-01T00:00:00.000Z' }]);
  });

  test('a process that neither waits for nor closes the writer still gets its write, then exits on its own', () => {
    // One CLI command: it writes, prints the answer and returns without closing anything.
    const script = `
      const { sqliteOutcomeWriter } = require(${JSON.stringify(require.resolve('../../../src/store/sqlite-outcome-writer'))});
      const writer = sqliteOutcomeWriter(${JSON.stringify(r.file)}, 5000);
      writer.write('ab-1', [{ unitId: 'u7', arm: 'treatment', value: 1 }], '2025-01-01T00:00:00.000Z')
        .then((n) => process.stdout.write('written ' + n));
    `;
    const run = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect([run.status, run.signal, run.stderr, run.stdout]).toEqual([0, null, '', 'written 1']);
    expect(r.rows()).toEqual([{ unit_id: 'u7', arm: 'treatment', value: 1, recorded_at: '2025-01-01T00:00:00.000Z' }]);
  });

  test('a process that prints only once the writer is closed still prints: the close keeps it alive until the thread ends', () => {
    const script = `
      const { sqliteOutcomeWriter } = require(${JSON.stringify(require.resolve('../../../src/store/sqlite-outcome-writer'))});
      const writer = sqliteOutcomeWriter(${JSON.stringify(r.file)}, 5000);
      writer.write('ab-1', [{ unitId: 'u8', arm: 'control', value: 0 }], '2025-01-01T00:00:00.000Z')
        .then(async (n) => { await writer.close(); process.stdout.write('closed after ' + n); });
    `;
    const run = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect([run.status, run.signal, run.stderr, run.stdout]).toEqual([0, null, '', 'closed after 1']);
    expect(r.rows()).toEqual([{ unit_id: 'u8', arm: 'control', value: 0, recorded_at: '2025-01-01T00:00:00.000Z' }]);
  });
});
