import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openStore, redactUrl } from '../../src/store';
import { BIN, buildCli, embeddedCliEnv, modelctl, spawnUntil, stop } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { startDevServer } from '../helpers/temporal';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

async function registryIdOf(config: { home: string } | { databaseUrl: string }): Promise<string> {
  const store = await openStore(config);
  try {
    return await store.registryId();
  } finally {
    await store.close();
  }
}

async function statusOf(config: { home: string } | { databaseUrl: string }, model: string, version: string) {
  const store = await openStore(config);
  try {
    return (await store.getVersion(model, version))?.status ?? null;
  } finally {
    await store.close();
  }
}

describe('two registries on one Temporal dev server and task queue', () => {
  let env: TestWorkflowEnvironment;
  let address: string;
  let homeA: string;
  let homeB: string;
  let workerA: ChildProcess | undefined;
  const envOf = (home: string) => ({
    MODELCTL_HOME: home,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: 'shared-queue',
    USER: 'ci',
  });

  beforeAll(async () => {
    buildCli();
    env = await startDevServer();
    address = env.address;
    homeA = mkdtempSync(join(tmpdir(), 'modelctl-registry-a-'));
    homeB = mkdtempSync(join(tmpdir(), 'modelctl-registry-b-'));
    // The same model and version in both registries, so a write into the wrong one would look like success.
    for (const home of [homeA, homeB]) {
      writeFileSync(join(home, 'v1.bin'), 'weights v1');
      const r = modelctl(['register', 'fraud', join(home, 'v1.bin')], { env: envOf(home) });
      expect([r.status, r.stderr]).toEqual([0, '']);
    }
    workerA = await spawnUntil(process.execPath, [BIN, 'worker'], envOf(homeA), /polling task queue shared-queue/);
  }, 180_000);
  afterAll(async () => {
    if (workerA) await stop(workerA);
    await env?.teardown();
  });

  test("a second registry's worker on the queue is refused with one line that says how long", async () => {
    const idA = await registryIdOf({ home: homeA });
    const idB = await registryIdOf({ home: homeB });
    expect(idA).not.toBe(idB);
    const run = modelctl(['worker'], { env: envOf(homeB) });
    expect(run.status).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(
        `^modelctl: task queue shared-queue on ${address.replace(/\./g, '\\.')} is served by a worker of another registry, ` +
          `registry ${idA} \\(home ${homeA.replace(/\./g, '\\.')}\\); refused while that worker polls; if it has stopped, ` +
          'from (\\S+) on \\(75 seconds after its last poll at (\\S+)\\); give each registry its own TEMPORAL_TASK_QUEUE ' +
          'or Temporal server \\(MODELCTL_TEMPORAL_PORT and MODELCTL_TEMPORAL_UI_PORT for the embedded one\\)\n$',
      ),
    );
    const [, until, last] = /from (\S+) on \(75 seconds after its last poll at (\S+)\)/.exec(run.stderr)!;
    expect(Date.parse(until!) - Date.parse(last!)).toBe(75_000);
    expect(Math.abs(Date.now() - Date.parse(last!))).toBeLessThan(75_000);
  }, 60_000);

  test('a command of the second registry is refused before it starts anything, and neither registry changes', async () => {
    const run = modelctl(['promote', 'fraud', '1.0.0'], { env: envOf(homeB) });
    expect(run.status).toBe(4);
    expect(run.stderr).toMatch(
      /^modelctl: task queue shared-queue on \S+ is served by a worker of another registry, registry /,
    );
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(await statusOf({ home: homeA }, 'fraud', '1.0.0')).toBe('VALIDATION');
    expect(await statusOf({ home: homeB }, 'fraud', '1.0.0')).toBe('VALIDATION');
    // Nothing was started on the server either.
    await expect(env.client.workflow.getHandle('promote-fraud').describe()).rejects.toThrow(/not found/i);
  }, 60_000);

  test("the first registry's own command is served, in its own registry", async () => {
    const run = modelctl(['promote', 'fraud', '1.0.0', '--json'], { env: envOf(homeA) });
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'PROMOTED', version: '1.0.0' });
    expect(await statusOf({ home: homeA }, 'fraud', '1.0.0')).toBe('PRODUCTION');
    expect(await statusOf({ home: homeB }, 'fraud', '1.0.0')).toBe('VALIDATION');
  }, 60_000);
});

describe('the embedded background worker and a command with another DATABASE_URL', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let db: TestDatabase;

  beforeAll(async () => {
    buildCli();
    home = mkdtempSync(join(tmpdir(), 'modelctl-embedded-identity-'));
    env = await embeddedCliEnv(home);
    db = await createTestDatabase();
    writeFileSync(join(home, 'v1.bin'), 'weights v1');
    for (const extra of [{}, { DATABASE_URL: db.url }]) {
      const r = modelctl(['register', 'fraud', join(home, 'v1.bin')], {
        env: { ...env, ...extra },
      });
      expect([r.status, r.stderr]).toEqual([0, '']);
    }
  }, 180_000);
  afterAll(async () => {
    if (env) modelctl(['dev', '--stop'], { env });
    await db?.drop();
  });

  test("is refused with one line naming both registries, and the worker's registry is not written", async () => {
    // The first command starts the background worker on the home's SQLite registry.
    const first = modelctl(['promote', 'fraud', '1.0.0', '--json'], { env });
    expect([first.status, first.stderr]).toEqual([0, '']);
    const pid = Number(readFileSync(join(home, 'worker', 'worker.pid'), 'utf8'));
    const sqliteId = await registryIdOf({ home });
    const pgId = await registryIdOf({ databaseUrl: db.url });
    // In the PostgreSQL registry the same version is still in VALIDATION; the command names it there.
    const run = modelctl(['rollback', 'fraud', '--reason', 'wrong registry?'], {
      env: { ...env, DATABASE_URL: db.url },
    });
    expect(run.status).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `modelctl: the background worker of ${home} (pid ${pid}) serves registry ${sqliteId} (SQLite ${join(home, 'registry.sqlite')}), ` +
        `this command's is ${pgId} (DATABASE_URL ${redactUrl(db.url)}); nothing was started: run the command ` +
        "with the worker's settings, or stop the worker with `modelctl dev --stop` (its running workflows go on when a " +
        'worker of their registry polls again)\n',
    );
    expect(await statusOf({ home }, 'fraud', '1.0.0')).toBe('PRODUCTION');
    expect(await statusOf({ databaseUrl: db.url }, 'fraud', '1.0.0')).toBe('VALIDATION');
    expect(existsSync(join(home, 'worker', 'worker.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(home, 'worker', 'worker.json'), 'utf8'))).toMatchObject({
      pid,
      registryId: sqliteId,
    });
  }, 240_000);

  test("the background worker's log names the registry it serves", () => {
    const log = readFileSync(join(home, 'worker', 'worker.log'), 'utf8');
    expect(log).toMatch(new RegExp(`polling task queue modelctl on \\S+ \\(namespace default, registry ${UUID}\\)`));
  });
});
