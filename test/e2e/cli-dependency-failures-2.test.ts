/**
 * Failing dependencies, second part (docs/errors.md, "Failing dependencies"): a PostgreSQL connection lost in the
 * middle of a batch, an unreachable or wrong Temporal, a bad schedule spec, a port another program holds, and
 * permissions the CLI does not have. Every case is one stderr line, its exit code, and no stack.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { AbTestInput } from '../../src/domain/ab-test';
import { openStore } from '../../src/store';
import {
  BIN,
  buildCli,
  embeddedCliEnv,
  failsWith,
  freePort,
  modelctl,
  modelctlAsync,
  okJson,
  type Run,
} from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';

/** `line` as a whole-line pattern, taken literally. */
function exactly(line: string): RegExp {
  return new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

beforeAll(() => buildCli());

describe('PostgreSQL losing the connection in the middle of a batch: UNAVAILABLE (exit 7), nothing stored', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  let home: string;
  const env = () => ({ MODELCTL_HOME: home, DATABASE_URL: db.url });
  const LOST = exactly(
    'modelctl: lost the connection to PostgreSQL before the write committed (terminating connection due to administrator command): nothing of it was stored (it is atomic); retry when the database is back',
  );

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    home = mkdtempSync(join(tmpdir(), 'modelctl-pg-loss-'));
    writeFileSync(join(home, 'weights.bin'), Buffer.alloc(1024, 3));
    // Migrations run here, so that each test's lock meets the batch itself.
    okJson(modelctl(['report', '--json'], { env: env() }));
  });
  afterAll(async () => {
    await admin.end();
    await db.drop();
    rmSync(home, { recursive: true, force: true });
  });

  /**
   * Runs `args` while `table` is locked, so that the command's batch INSERT waits on the lock; terminates that
   * backend (what a server restart does to it) once it waits, then lets go of the lock.
   */
  async function cutMidBatch(table: string, args: string[]): Promise<Run> {
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query(`lock table ${table} in exclusive mode`);
      let ended: Run | undefined;
      const run = modelctlAsync(args, { env: env() }).then((r) => (ended = r));
      const deadline = Date.now() + 90_000;
      let terminated = 0;
      while (terminated === 0) {
        if (ended !== undefined) throw new Error(`the command ended before its batch waited: ${JSON.stringify(ended)}`);
        if (Date.now() > deadline) throw new Error(`no INSERT into ${table} waited on the lock within 90 s`);
        const r = await admin.query<{ pid: number }>(
          `select pid from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ~* $1`,
          // Kysely quotes the table name, the store's raw SQL does not; the points insert is inside a `with`.
          [`^\\s*(with \\w+ as \\(\\s*)?insert into "?${table}"?\\s`],
        );
        for (const { pid } of r.rows) {
          await admin.query('select pg_terminate_backend($1)', [pid]);
          terminated++;
        }
        if (terminated === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await locker.query('rollback');
      return await run;
    } finally {
      await locker.end();
    }
  }

  async function count(table: string): Promise<number> {
    return Number((await admin.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]!.n);
  }

  test('experiment log of a points file', async () => {
    const { id } = okJson<{ id: string }>(
      modelctl(['experiment', 'start', 'pg-loss', '--type', 'TRAINING', '--json'], { env: env() }),
    );
    const points = join(home, 'points.jsonl');
    writeFileSync(
      points,
      Array.from({ length: 5000 }, (_, step) => JSON.stringify({ key: 'loss', value: 1 / (step + 1), step })).join(
        '\n',
      ),
    );
    failsWith(await cutMidBatch('metric_points', ['experiment', 'log', id, '--file', points]), 7, LOST);
    expect(await count('metric_points')).toBe(0);
    expect(await count('metric_rollups')).toBe(0);
  });

  test('register (the version row and its metrics)', async () => {
    const run = await cutMidBatch('model_versions', [
      'register',
      'pg-loss',
      join(home, 'weights.bin'),
      '--git-dir',
      home,
      '--metrics',
      '{"auc":0.91}',
    ]);
    failsWith(run, 7, LOST);
    expect(await count('model_versions')).toBe(0);
    failsWith(modelctl(['versions', 'pg-loss'], { env: env() }), 3, /^modelctl: .*pg-loss/);
  });

  test('an outcome batch of an A/B test', async () => {
    for (const version of ['1.0.0', '1.1.0']) {
      const args = ['register', 'ab-loss', join(home, 'weights.bin'), '--version', version, '--git-dir', home];
      okJson(modelctl([...args, '--json'], { env: env() }));
    }
    const store = await openStore({ databaseUrl: db.url });
    try {
      const definition = AbTestInput.parse({
        id: 'ab-loss-test',
        model: 'ab-loss',
        control: '1.0.0',
        treatment: '1.1.0',
        duration: '1d',
        metric: { name: 'click', kind: 'binary' },
      });
      await store.createAbTest({
        id: 'ab-loss-test',
        name: 'ab-loss-test',
        model: 'ab-loss',
        control: '1.0.0',
        treatment: '1.1.0',
        split: definition.split,
        salt: 'salt-1',
        definition: JSON.parse(JSON.stringify(definition)) as Record<string, never>,
      });
      // What the abTest workflow's first activity does; the batch is the store's alone.
      await store.updateAbTest('ab-loss-test', { status: 'RUNNING', startedAt: new Date().toISOString() });
    } finally {
      await store.close();
    }
    const outcomes = join(home, 'outcomes.csv');
    writeFileSync(outcomes, Array.from({ length: 2000 }, (_, i) => `user-${i},${i % 2}`).join('\n'));
    failsWith(await cutMidBatch('ab_outcomes', ['abtest', 'record', 'ab-loss-test', '--file', outcomes]), 7, LOST);
    expect(await count('ab_outcomes')).toBe(0);
  });
});

describe('Temporal that cannot be used: one line naming it', () => {
  let home: string;
  let closedPort: number;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'modelctl-temporal-'));
    closedPort = await freePort();
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  test('an address where nothing listens fails in moments (the SDK alone waits 20 s), exit 7', () => {
    const started = Date.now();
    failsWith(
      modelctl(['abtest', 'schedule', 'list'], {
        env: { MODELCTL_HOME: home, TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}` },
      }),
      7,
      exactly(
        `modelctl: cannot reach Temporal at 127.0.0.1:${closedPort}: connection refused (nothing listens on that port) (TEMPORAL_ADDRESS / --temporal-address)`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test('an address held by a server that is not Temporal names the address, exit 7, not "unexpected error"', async () => {
    // An HTTP/2 server answering 404 (gRPC: UNIMPLEMENTED) and an HTTP/1 server (no gRPC handshake at all).
    const h2 = createHttp2Server((_req, res) => res.writeHead(404).end());
    const h1 = createHttpServer((_req, res) => res.writeHead(200).end('hello'));
    const listen = (server: Server | Http2Server | HttpServer) =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
      );
    const [h2Port, h1Port] = [await listen(h2), await listen(h1)];
    try {
      const env = (port: number) => ({ MODELCTL_HOME: home, TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
      const [grpc404, http1] = await Promise.all([
        modelctlAsync(['abtest', 'schedule', 'list'], { env: env(h2Port) }),
        modelctlAsync(['abtest', 'schedule', 'list'], { env: env(h1Port) }),
      ]);
      failsWith(
        grpc404,
        7,
        exactly(
          `modelctl: cannot reach Temporal at 127.0.0.1:${h2Port}: it answers, but not as a Temporal frontend (12 UNIMPLEMENTED: Received HTTP status code 404) (TEMPORAL_ADDRESS / --temporal-address)`,
        ),
      );
      failsWith(
        http1,
        7,
        exactly(
          `modelctl: cannot reach Temporal at 127.0.0.1:${h1Port}: the port answers, but no gRPC handshake completed in 15 s: is it a Temporal frontend? (TEMPORAL_ADDRESS / --temporal-address)`,
        ),
      );
    } finally {
      h1.closeAllConnections();
      await Promise.all([new Promise((r) => h2.close(r)), new Promise((r) => h1.close(r))]);
    }
  }, 60_000);

  test('an unknown host fails in moments, exit 7', () => {
    const started = Date.now();
    failsWith(
      modelctl(['--temporal-address', 'temporal.invalid:7233', 'abtest', 'schedule', 'list'], {
        env: { MODELCTL_HOME: home },
      }),
      7,
      exactly(
        'modelctl: cannot reach Temporal at temporal.invalid:7233: unknown host (TEMPORAL_ADDRESS / --temporal-address)',
      ),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test('a task queue name over Temporal’s 1000 characters is refused before anything starts, exit 2', () => {
    const fresh = join(home, 'never-created');
    failsWith(
      modelctl(['--task-queue', 'q'.repeat(1001), 'abtest', 'schedule', 'list'], { env: { MODELCTL_HOME: fresh } }),
      2,
      exactly("modelctl: invalid environment: TEMPORAL_TASK_QUEUE: must be at most 1000 characters (Temporal's limit)"),
    );
    expect(existsSync(fresh)).toBe(false);
  });

  test.each([
    [
      ['--cron', 'every monday'],
      `modelctl: invalid --cron: "every monday" is not a cron expression: has 2 field(s); give 5 (minute hour day-of-month month day-of-week); e.g. '0 9 * * MON'`,
    ],
    [
      ['--cron', '0 9 * * 8'],
      `modelctl: invalid --cron: "0 9 * * 8" is not a cron expression: day of week 8 is not in 0–7; e.g. '0 9 * * MON'`,
    ],
    [
      ['--cron', '0 9 * * MON', '--timezone', 'Mars/Olympus'],
      `modelctl: invalid --timezone: "Mars/Olympus" is not a time zone; use an IANA name such as 'UTC' or 'Europe/Berlin'`,
    ],
    [['--every', '500ms'], "modelctl: invalid --every: must be at least 1s (1000 ms, Temporal's shortest)"],
  ])('an A/B test schedule %j is refused before Temporal is contacted, exit 2', (flags, line) => {
    // The address answers nothing: reaching it would fail with exit 7, so exit 2 shows the check came first.
    failsWith(
      modelctl(['abtest', 'schedule', 'create', 'fraud', '1.0.0', '1.1.0', '--duration', '1h', ...flags], {
        env: { MODELCTL_HOME: home, TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}` },
      }),
      2,
      exactly(line),
    );
  });

  describe('on the embedded dev server', () => {
    let devHome: string;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      devHome = mkdtempSync(join(tmpdir(), 'modelctl-namespace-'));
      env = await embeddedCliEnv(devHome);
    });
    afterAll(() => {
      modelctl(['dev', '--stop'], { env });
      rmSync(devHome, { recursive: true, force: true });
    });

    test('an unknown namespace names itself and how to create it, exit 2', () => {
      failsWith(
        modelctl(['--namespace', 'no-such-namespace', 'abtest', 'schedule', 'list'], { env }),
        2,
        exactly(
          `modelctl: Temporal namespace "no-such-namespace" does not exist on 127.0.0.1:${env.MODELCTL_TEMPORAL_PORT}; create it (temporal operator namespace create --namespace no-such-namespace) or choose another (TEMPORAL_NAMESPACE / --namespace)`,
        ),
      );
    });
  });
});

describe('a port held by another program: exit 7 naming it, nothing started', () => {
  let holder: Server;
  const sockets = new Set<Socket>();
  let held: number;
  let home: string;

  beforeAll(async () => {
    // Accepts connections and never answers, as an unrelated program would.
    holder = createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    held = (holder.address() as { port: number }).port;
  });
  beforeEach(() => {
    home = join(mkdtempSync(join(tmpdir(), 'modelctl-port-')), 'home');
  });
  afterEach(() => rmSync(dirname(home), { recursive: true, force: true }));
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => holder.close(resolve));
  });

  test('serve --port', async () => {
    failsWith(
      await modelctlAsync(['serve', '--port', String(held)], { env: { MODELCTL_HOME: home } }),
      7,
      exactly(
        `modelctl: cannot listen on 127.0.0.1:${held}: the port is in use by another program; stop it or choose another (--host / --port)`,
      ),
    );
    // Neither a registry nor an admin token was written.
    expect(existsSync(home)).toBe(false);
  });

  test.each([
    ['gRPC', 'MODELCTL_TEMPORAL_PORT', 'gRPC frontend'],
    ['Web UI', 'MODELCTL_TEMPORAL_UI_PORT', 'Web UI'],
  ])('dev: the embedded server’s %s port (%s)', async (_kind, variable, role) => {
    const env = await embeddedCliEnv(home, { [variable]: String(held) });
    failsWith(
      await modelctlAsync(['dev'], { env }),
      7,
      exactly(
        `modelctl: port ${held} (${variable}) is held by another program, not the embedded Temporal server: it needs the port for its ${role}; stop that program or choose another port with ${variable}`,
      ),
    );
    expect(existsSync(join(home, 'temporal'))).toBe(false);
  });
});

describe('permission denied: exit 2 naming the path (the CLI runs as nobody: root bypasses file modes)', () => {
  const NOBODY = 65534;
  let dir: string;

  /** Runs the CLI as uid/gid 65534 (nobody). */
  function asNobody(args: string[], env: NodeJS.ProcessEnv): Run {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: dir,
      uid: NOBODY,
      gid: NOBODY,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, USER: 'nobody', ...env },
      timeout: 170_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** A directory nobody owns, for a home or an artifact store it may write. */
  function ownedByNobody(name: string): string {
    const path = join(dir, name);
    mkdirSync(path);
    chownSync(path, NOBODY, NOBODY);
    return path;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'modelctl-perm-'));
    chmodSync(dir, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('an artifact file that cannot be read', () => {
    const home = ownedByNobody('home-a');
    const weights = join(dir, 'unreadable.bin');
    writeFileSync(weights, 'secret');
    chmodSync(weights, 0o000);
    const env = { MODELCTL_HOME: home };
    failsWith(
      asNobody(['register', 'perm', weights, '--git-dir', dir], env),
      2,
      exactly(`modelctl: permission denied on ${weights}`),
    );
    failsWith(asNobody(['versions', 'perm'], env), 3, /^modelctl: .*perm/);
  });

  test('an artifact store directory that cannot be written', () => {
    const home = ownedByNobody('home-b');
    const store = join(dir, 'store-b');
    mkdirSync(store);
    chmodSync(store, 0o555);
    const weights = join(dir, 'weights-b.bin');
    writeFileSync(weights, 'bytes');
    chmodSync(weights, 0o644);
    const env = { MODELCTL_HOME: home, ARTIFACT_STORE: store };
    failsWith(
      asNobody(['register', 'perm', weights, '--git-dir', dir], env),
      2,
      exactly(`modelctl: permission denied on ${store}/tmp`),
    );
    failsWith(asNobody(['versions', 'perm'], env), 3, /^modelctl: .*perm/);
  });

  test('a SQLite registry file that cannot be written', () => {
    const home = ownedByNobody('home-c');
    const artifacts = ownedByNobody('artifacts-c');
    const env = { MODELCTL_HOME: home, ARTIFACT_STORE: artifacts };
    okJson(asNobody(['report', '--json'], env));
    chownSync(join(home, 'registry.sqlite'), 0, 0);
    chmodSync(join(home, 'registry.sqlite'), 0o444);
    failsWith(
      asNobody(['experiment', 'start', 'perm', '--type', 'TRAINING'], env),
      2,
      exactly(`modelctl: permission denied on ${home}/registry.sqlite`),
    );
  });
});
