import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { abTestNotFound } from './not-found';

/** One outcome row as the writer stores it (already checked: unit 1–500 characters, arm, finite value). */
export interface WriterOutcome {
  unitId: string;
  arm: 'control' | 'treatment';
  value: number;
}

/**
 * Upserts outcome batches into `ab_outcomes` from a thread of its own, on its own connection to the SQLite file.
 * SQLite's insert is about half of what ingesting an outcome costs; in the server's thread it blocked every other
 * request (an assignment waited for a 10,000-outcome batch) and kept the machine's other core idle. Batches are
 * written one at a time in the order they were given, each in its own `BEGIN IMMEDIATE` transaction that first checks
 * that the test exists; a write resolves once committed, so a read made after it sees the rows.
 */
export interface SqliteOutcomeWriter {
  /**
   * Upserts `rows` (each unit at most once) of test `testId`, stamped `recordedAt` (ISO 8601).
   * @returns the number of rows written
   * @throws ModelctlError NOT_FOUND when the test does not exist; UNAVAILABLE when the writer thread is gone;
   *   SQLite's own error (with its `code`: SQLITE_BUSY, SQLITE_FULL, …) when the transaction failed and was rolled back
   */
  write(testId: string, rows: readonly WriterOutcome[], recordedAt: string): Promise<number>;
  /** Lets the writes already given finish, then closes the connection and ends the thread. */
  close(): Promise<void>;
}

interface PendingWrite {
  resolve: (written: number) => void;
  reject: (err: unknown) => void;
  testId: string;
}

/** What the thread is started with. */
export interface WriterData {
  file: string;
  busyTimeoutMs: number;
  rowsPerStatement: number;
}

/**
 * The thread's module: the compiled one, or, when this module runs from its TypeScript source (tests, tsx), the source
 * loaded through tsx's require hook (a development dependency, present wherever the sources run).
 */
const THREAD = __filename.endsWith('.ts')
  ? { file: join(__dirname, 'sqlite-outcome-writer-thread.ts'), execArgv: ['--require', require.resolve('tsx/cjs')] }
  : { file: join(__dirname, 'sqlite-outcome-writer-thread.js'), execArgv: [] };

/** Rows per INSERT statement in the thread (5 parameters each: SQLite allows 32,766). */
const ROWS_PER_STATEMENT = 1_000;

export interface WriteRequest {
  n: number;
  testId: string;
  unitIds: string[];
  /** 1 for treatment, 0 for control. */
  treatment: Uint8Array;
  values: Float64Array;
  recordedAt: string;
}
export type WriteAnswer =
  | { n: number; written: number }
  | { n: number; notFound: true }
  | { n: number; error: { message: string; code?: string } };

/**
 * A {@link SqliteOutcomeWriter} on SQLite file `file` (which must exist, migrated, in WAL mode). The thread starts
 * on the first write and keeps the process alive only while a write is pending, so an idle open writer never holds a
 * process up and a pending one is never cut off; if it dies, the writes in flight fail with UNAVAILABLE and the next
 * write starts a new one.
 */
export function sqliteOutcomeWriter(file: string, busyTimeoutMs: number): SqliteOutcomeWriter {
  /** The running thread and the writes it was given that it has not answered yet. */
  let current: { thread: Worker; pending: Map<number, PendingWrite> } | undefined;
  let next = 0;
  const start = () => {
    const thread = new Worker(THREAD.file, {
      execArgv: THREAD.execArgv,
      workerData: { file, busyTimeoutMs, rowsPerStatement: ROWS_PER_STATEMENT } satisfies WriterData,
    });
    thread.unref();
    const pending = new Map<number, PendingWrite>();
    thread.on('message', (answer: WriteAnswer) => {
      const p = pending.get(answer.n);
      if (p === undefined) return;
      pending.delete(answer.n);
      if (pending.size === 0) thread.unref();
      if ('written' in answer) p.resolve(answer.written);
      else if ('notFound' in answer) p.reject(abTestNotFound(p.testId));
      else
        p.reject(Object.assign(new Error(answer.error.message), answer.error.code ? { code: answer.error.code } : {}));
    });
    // Only this thread's writes fail: a later write already started the next thread.
    const stopped = (err: ModelctlError) => {
      if (current?.thread === thread) current = undefined;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    thread.on('error', (err) =>
      stopped(
        new ModelctlError(
          ErrorCode.UNAVAILABLE,
          `the outcome writer of ${file} stopped: ${err.message}`,
          {},
          { cause: err },
        ),
      ),
    );
    thread.on('exit', () => stopped(new ModelctlError(ErrorCode.UNAVAILABLE, `the outcome writer of ${file} stopped`)));
    return { thread, pending };
  };
  return {
    write(testId, rows, recordedAt) {
      const { thread, pending } = (current ??= start());
      const n = next++;
      const unitIds = new Array<string>(rows.length);
      const treatment = new Uint8Array(rows.length);
      const values = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        unitIds[i] = row.unitId;
        treatment[i] = row.arm === 'treatment' ? 1 : 0;
        values[i] = row.value;
      }
      const request: WriteRequest = { n, testId, unitIds, treatment, values, recordedAt };
      const written = new Promise<number>((resolve, reject) => pending.set(n, { resolve, reject, testId }));
      // Referenced while a write is pending: a short process (one CLI command) must not exit before its answer.
      thread.ref();
      thread.postMessage(request, [treatment.buffer, values.buffer]);
      return written;
    },
    async close() {
      const thread = current?.thread;
      if (thread === undefined) return;
      current = undefined;
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      // Referenced until it has exited: a process that prints once the store is closed must not end before that.
      thread.ref();
      thread.postMessage('close');
      await exited;
    },
  };
}
