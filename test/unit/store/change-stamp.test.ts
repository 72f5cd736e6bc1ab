import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  noteCachedTableWrite,
  POSTGRES_STAMP_MS,
  postgresChangeStamp,
  sqliteChangeStamp,
} from '../../../src/store/change-stamp';

describe('change stamps', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'modelctl-stamp-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("SQLite: another connection's commit changes the stamp; reads and the connection's own writes do not", () => {
    const path = join(dir, 'registry.sqlite');
    const mine = new Database(path);
    const other = new Database(path);
    try {
      mine.pragma('journal_mode = WAL');
      mine.exec('create table t (x integer)');
      const version = mine.prepare('PRAGMA data_version').pluck();
      const stamp = sqliteChangeStamp(() => version.get());
      const first = stamp();
      mine.exec('insert into t values (1)');
      other.prepare('select count(*) from t').get();
      expect(stamp()).toBe(first);
      other.exec('insert into t values (2)');
      const second = stamp();
      expect(second).not.toBe(first);
      expect(stamp()).toBe(second);
      // Writes through a store of this process are counted apart from SQLite.
      noteCachedTableWrite();
      expect(stamp()).not.toBe(second);
    } finally {
      other.close();
      mine.close();
    }
  });

  test('SQLite: a connection that cannot answer gives a stamp that matches nothing', () => {
    const stamp = sqliteChangeStamp(() => {
      throw new TypeError('This database connection is busy executing a query');
    });
    const stamps = [stamp(), stamp(), stamp()];
    expect(new Set(stamps).size).toBe(3);
  });

  test('PostgreSQL: the stamp changes with each window of POSTGRES_STAMP_MS and with writes of this process', () => {
    let now = 10 * POSTGRES_STAMP_MS;
    const stamp = postgresChangeStamp(() => now);
    const first = stamp();
    now += POSTGRES_STAMP_MS - 1;
    expect(stamp()).toBe(first);
    now += 1;
    const next = stamp();
    expect(next).not.toBe(first);
    noteCachedTableWrite();
    expect(stamp()).not.toBe(next);
  });
});
