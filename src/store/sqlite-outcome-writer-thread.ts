/**
 * The outcome writer's thread (see src/store/sqlite-outcome-writer.ts): its own connection to the SQLite file, one
 * `BEGIN IMMEDIATE` transaction per batch (the test must exist; multi-row upserts; commit), answered in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configureSqliteConnection } from './sqlite-connection';
import type { WriteAnswer, WriteRequest, WriterData } from './sqlite-outcome-writer';

const { file, busyTimeoutMs, rowsPerStatement } = workerData as WriterData;
// The registry's file, migrated by openStore: never a new empty one.
const db = new Database(file, { fileMustExist: true });
configureSqliteConnection(db, busyTimeoutMs);
const testExists = db.prepare('select 1 from "ab_tests" where "id" = ?').pluck();
/** The full chunk's statement and those of the last chunks' sizes met so far. */
const upserts = new Map<number, Database.Statement>();

function upsert(rows: number): Database.Statement {
  let statement = upserts.get(rows);
  if (statement === undefined) {
    const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
    statement = db.prepare(
      `insert into "ab_outcomes" ("test_id", "unit_id", "arm", "value", "recorded_at") values ${values} ` +
        'on conflict ("test_id", "unit_id") do update set "arm" = "excluded"."arm", "value" = "excluded"."value", ' +
        '"recorded_at" = "excluded"."recorded_at"',
    );
    if (upserts.size < 64) upserts.set(rows, statement);
  }
  return statement;
}

function write({ n, testId, unitIds, treatment, values, recordedAt }: WriteRequest): WriteAnswer {
  db.exec('begin immediate');
  try {
    if (testExists.get(testId) === undefined) {
      db.exec('rollback');
      return { n, notFound: true };
    }
    for (let start = 0; start < unitIds.length; start += rowsPerStatement) {
      const end = Math.min(start + rowsPerStatement, unitIds.length);
      const params: unknown[] = new Array((end - start) * 5);
      for (let i = start, p = 0; i < end; i++) {
        params[p++] = testId;
        params[p++] = unitIds[i];
        params[p++] = treatment[i] === 1 ? 'treatment' : 'control';
        params[p++] = values[i];
        params[p++] = recordedAt;
      }
      upsert(end - start).run(params);
    }
    db.exec('commit');
    return { n, written: unitIds.length };
  } catch (err) {
    if (db.inTransaction) db.exec('rollback');
    throw err;
  }
}

parentPort!.on('message', (message: WriteRequest | 'close') => {
  if (message === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let answer: WriteAnswer;
  try {
    answer = write(message);
  } catch (err) {
    const e = err as { message?: unknown; code?: unknown };
    answer = {
      n: message.n,
      error: {
        message: typeof e.message === 'string' ? e.message : String(err),
        ...(typeof e.code === 'string' ? { code: e.code } : {}),
      },
    };
  }
  parentPort!.postMessage(answer);
});
