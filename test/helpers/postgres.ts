/**
 * A real PostgreSQL server for tests: initdb into a temp dir owned by the `postgres` user (the server refuses to run
 * as root), pg_ctl start on a free port with its unix socket in that dir, a fresh database per suite.
 * Global set-up starts one server and exports its admin URL as MODELCTL_TEST_PG_URL; suites call createTestDatabase.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const TEST_PG_URL_ENV = 'MODELCTL_TEST_PG_URL';

export interface PostgresServer {
  /** Admin URL (database `postgres`) over the unix socket. */
  url: string;
  stop(): Promise<void>;
}

function pgBinDir(): string {
  if (process.env.PG_BIN !== undefined) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'pg_ctl')));
  if (found === undefined)
    throw new Error(
      'PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql) and PG_BIN is unset',
    );
  return found;
}

function asPostgres(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Starts a throwaway server; `stop()` shuts it down fast and removes its directory. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = pgBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'modelctl-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses='' -c fsync=off -c max_connections=200`;
  asPostgres(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    options,
    'start',
  ]);
  return {
    url: `postgresql://postgres@/postgres?host=${encodeURIComponent(dir)}&port=${port}`,
    async stop() {
      try {
        asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A database of its own for one suite, on the server global set-up started. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

function withDatabase(adminUrl: string, name: string): string {
  return adminUrl.replace('/postgres?', `/${name}?`);
}

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, empty database on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env[TEST_PG_URL_ENV];
  if (adminUrl === undefined)
    throw new Error(`${TEST_PG_URL_ENV} is unset: run the tests through jest's global set-up`);
  const name = `t_${randomUUID().replace(/-/g, '')}`;
  await admin(adminUrl, (c) => c.query(`create database ${name}`));
  return {
    url: withDatabase(adminUrl, name),
    drop: () => admin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

const KEY = Symbol.for('modelctl.test.postgres');
type GlobalWithServer = typeof globalThis & { [KEY]?: PostgresServer };

/** Global set-up: start the shared server and publish its URL to the test workers. */
export async function startTestPostgres(): Promise<void> {
  const server = await startPostgres();
  (globalThis as GlobalWithServer)[KEY] = server;
  process.env[TEST_PG_URL_ENV] = server.url;
}

/** Global teardown: stop the shared server. */
export async function stopTestPostgres(): Promise<void> {
  const g = globalThis as GlobalWithServer;
  await g[KEY]?.stop();
  delete g[KEY];
}
