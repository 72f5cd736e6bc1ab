import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { BIN, buildCli, freePort, modelctl, spawnUntil, stop } from '../helpers/cli';
import { createTestDatabase } from '../helpers/postgres';
import { startDevServer } from '../helpers/temporal';

describe('modelctl token and modelctl serve', () => {
  let home: string;
  let temporal: TestWorkflowEnvironment;
  beforeAll(async () => {
    buildCli();
    temporal = await startDevServer();
  });
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'modelctl-cli-serve-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  afterAll(async () => {
    await temporal.teardown();
  });

  test('token create prints the secret once, list never shows it, revoke marks it', () => {
    const env = { MODELCTL_HOME: home };
    const created = modelctl(
      ['token', 'create', '--name', 'ci-bot', '--role', 'editor', '--model', 'fraud*', '--json'],
      {
        env,
      },
    );
    expect(created.status).toBe(0);
    const token = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(token).toMatchObject({
      name: 'ci-bot',
      role: 'editor',
      modelScope: 'fraud*',
      expiresAt: null,
      revokedAt: null,
    });
    expect(token.token).toMatch(/^mct_[A-Za-z0-9_-]{43}$/);

    const listed = modelctl(['token', 'list', '--json'], { env });
    expect(listed.status).toBe(0);
    expect(listed.stdout).not.toContain(String(token.token));
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((t) => t.name)).toEqual(['ci-bot']);

    const revoked = modelctl(['token', 'revoke', 'ci-bot'], { env });
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toMatch(/^revoked token ci-bot at \d{4}-\d\d-\d\dT/);
  });

  test('token create refuses a bad role and a bad expiry with one line and exit code 2', () => {
    const env = { MODELCTL_HOME: home };
    const role = modelctl(['token', 'create', '--name', 'x', '--role', 'root'], { env });
    expect([role.status, role.stderr]).toEqual([2, 'modelctl: invalid --role: must be one of viewer, editor, admin\n']);
    const expires = modelctl(['token', 'create', '--name', 'x', '--role', 'viewer', '--expires', 'soon'], { env });
    expect(expires.status).toBe(2);
    expect(expires.stderr).toBe(
      `modelctl: invalid --expires: invalid duration "soon"; use milliseconds or e.g. '20s', '12h', '7d'\n`,
    );
    expect(JSON.parse(modelctl(['token', 'list', '--json'], { env }).stdout)).toEqual([]);
  });

  test('serve writes the first admin token, is ready with store and Temporal, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = await spawnUntil(
      process.execPath,
      [BIN, 'serve', '--port', String(port)],
      { MODELCTL_HOME: home, TEMPORAL_ADDRESS: temporal.address },
      /listening on http:\/\/127\.0\.0\.1:\d+/,
    );
    try {
      const file = join(home, 'admin-token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const secret = readFileSync(file, 'utf8').trim();
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { store: { ok: true }, temporal: { ok: true } } });
      const whoami = await fetch(`http://127.0.0.1:${port}/api/v1/whoami`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(whoami.headers.get('x-request-id')).toMatch(/.+/);
      expect(await whoami.json()).toMatchObject({ name: 'admin', role: 'admin' });
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  test('serve --tls-cert/--tls-key answers HTTPS with the certificate, and the remote CLI trusts it through NODE_EXTRA_CA_CERTS', async () => {
    const cert = join(home, 'cert.pem');
    const key = join(home, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const half = modelctl(['serve', '--tls-cert', cert], { env: { MODELCTL_HOME: home } });
    expect([half.status, half.stderr]).toEqual([
      2,
      'modelctl: invalid --tls-cert: give both --tls-cert and --tls-key, or neither\n',
    ]);
    const swapped = modelctl(['serve', '--tls-cert', key, '--tls-key', cert], { env: { MODELCTL_HOME: home } });
    expect(swapped.status).toBe(2);
    expect(swapped.stderr).toMatch(
      /^modelctl: invalid --tls-cert\/--tls-key: .+; give a PEM certificate and its private key\n$/,
    );
    const port = await freePort();
    const child = await spawnUntil(
      process.execPath,
      [BIN, 'serve', '--port', String(port), '--tls-cert', cert, '--tls-key', key],
      { MODELCTL_HOME: home, TEMPORAL_ADDRESS: temporal.address },
      /listening on https:\/\/127\.0\.0\.1:\d+/,
    );
    try {
      const ready = await new Promise<{ status: number; body: string; peer: string }>((resolve, reject) => {
        httpsGet(`https://127.0.0.1:${port}/readyz`, { ca: readFileSync(cert) }, (res) => {
          // The socket is released once the body is read: ask for the peer's certificate first.
          const peer = String((res.socket as TLSSocket).getPeerCertificate().subject.CN);
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              peer,
            }),
          );
        }).on('error', reject);
      });
      expect(ready).toEqual({
        status: 200,
        body: JSON.stringify({ status: 'ready', checks: { store: { ok: true }, temporal: { ok: true } } }),
        peer: '127.0.0.1',
      });
      const admin = readFileSync(join(home, 'admin-token'), 'utf8').trim();
      const remote = { MODELCTL_URL: `https://127.0.0.1:${port}`, MODELCTL_TOKEN: admin };
      const untrusted = modelctl(['token', 'list', '--json'], { env: remote });
      expect(untrusted.status).toBe(9);
      expect(untrusted.stderr).toMatch(
        /^modelctl: cannot reach the modelctl server at https:\/\/127\.0\.0\.1:\d+ \((SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT)\)/,
      );
      const trusted = modelctl(['token', 'list', '--json'], { env: { ...remote, NODE_EXTRA_CA_CERTS: cert } });
      expect([trusted.status, trusted.stderr]).toEqual([0, '']);
      expect((JSON.parse(trusted.stdout) as { name: string }[]).map((t) => t.name)).toEqual(['admin']);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  test('two server processes over one PostgreSQL database serve one registry', async () => {
    const database = await createTestDatabase();
    const homes = [home, mkdtempSync(join(tmpdir(), 'modelctl-cli-serve-'))];
    const ports = [await freePort(), await freePort()];
    const replicas = await Promise.all(
      homes.map((h, i) =>
        spawnUntil(
          process.execPath,
          [BIN, 'serve', '--port', String(ports[i])],
          { MODELCTL_HOME: h, DATABASE_URL: database.url, TEMPORAL_ADDRESS: temporal.address },
          /listening on http:\/\/127\.0\.0\.1:\d+/,
        ),
      ),
    );
    try {
      // Started together, exactly one of them created the admin token.
      const files = homes.map((h) => join(h, 'admin-token')).filter((f) => existsSync(f));
      expect(files).toHaveLength(1);
      const admin = readFileSync(files[0]!, 'utf8').trim();
      const call = (port: number, path: string, token: string, init: RequestInit = {}) =>
        fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
          ...init,
          headers: {
            authorization: `Bearer ${token}`,
            ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
        });
      const created = await call(ports[0]!, '/tokens', admin, {
        method: 'POST',
        body: JSON.stringify({ name: 'ci-bot', role: 'editor' }),
      });
      const { token } = (await created.json()) as { token: string };
      expect(await (await call(ports[1]!, '/whoami', token)).json()).toMatchObject({ name: 'ci-bot', role: 'editor' });
      expect((await call(ports[1]!, '/tokens/ci-bot', admin, { method: 'DELETE' })).status).toBe(200);
      const refused = await call(ports[0]!, '/whoami', token);
      expect([refused.status, ((await refused.json()) as { detail: string }).detail]).toEqual([
        401,
        'the token has been revoked',
      ]);
    } finally {
      const codes = await Promise.all(replicas.map((r) => stop(r)));
      rmSync(homes[1]!, { recursive: true, force: true });
      await database.drop();
      expect(codes).toEqual([0, 0]);
    }
  });

  test('a 1 GiB upload streams through a server whose heap is capped at 256 MiB', async () => {
    const port = await freePort();
    const child = await spawnUntil(
      process.execPath,
      ['--max-old-space-size=256', BIN, 'serve', '--port', String(port)],
      { MODELCTL_HOME: home, TEMPORAL_ADDRESS: temporal.address },
      /listening on http:\/\/127\.0\.0\.1:\d+/,
    );
    try {
      const admin = readFileSync(join(home, 'admin-token'), 'utf8').trim();
      const chunk = Buffer.alloc(1024 * 1024, 0x5a);
      const chunks = 1024;
      const hash = createHash('sha256');
      for (let i = 0; i < chunks; i++) hash.update(chunk);
      const sha256 = hash.digest('hex');
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          `http://127.0.0.1:${port}/api/v1/models/big/versions?version=1.0.0&expectedSha256=${sha256}`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${admin}`,
              'content-type': 'application/octet-stream',
              'content-length': String(chunk.length * chunks),
            },
          },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        let sent = 0;
        const pump = () => {
          while (sent < chunks) {
            sent++;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body)).toMatchObject({
        model: 'big',
        version: '1.0.0',
        author: 'admin',
        artifact: { sha256, sizeBytes: 1024 * 1024 * 1024 },
      });
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });
});
