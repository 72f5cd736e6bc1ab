import { AbTestInput } from '../../src/domain/ab-test';
import { assign } from '../../src/stats/assignment';
import { POSTGRES_STAMP_MS } from '../../src/store/change-stamp';
import { BACKENDS, artifactRef } from '../helpers/store';
import { startTestApiServer, type TestApiServer } from '../helpers/api-server';

const SPLIT = { control: 5000, treatment: 5000 };

/** A unit the test's split sends to `arm`. */
function unitIn(arm: 'control' | 'treatment'): string {
  for (let i = 0; ; i++) if (assign('cache-ab', `user-${i}`, SPLIT).arm === arm) return `user-${i}`;
}

/**
 * The server caches verified tokens and A/B test status per process (the serving hot path reads no row). These tests
 * change tokens and tests while the cache holds them: through the server, through another store of this process, and
 * with SQL on a connection of its own (another process or replica), which the server sees at once on SQLite and
 * within {@link POSTGRES_STAMP_MS} on PostgreSQL.
 */
describe.each(BACKENDS)('the serving caches of modelctl serve on %s', (backend) => {
  let t: TestApiServer;
  beforeEach(async () => {
    t = await startTestApiServer(backend);
  });
  afterEach(async () => {
    await t.dispose();
  });

  async function createToken(name: string): Promise<string> {
    const res = await t.request('/api/v1/tokens', {
      method: 'POST',
      token: t.adminToken,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, role: 'editor' }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  }

  async function whoami(token: string): Promise<[number, unknown]> {
    const res = await t.request('/api/v1/whoami', { token });
    const body = (await res.json()) as { name?: string; detail?: string };
    return [res.status, res.ok ? body.name : body.detail];
  }

  /**
   * Calls `probe` until it answers `expected` and returns how long that took after the change: at once on SQLite (the
   * first call must answer it), within the stamp window (plus a request's time on a loaded machine) on PostgreSQL.
   */
  async function seenWithinBound<T>(changedAt: number, probe: () => Promise<T>, expected: T): Promise<void> {
    if (backend === 'sqlite') {
      expect(await probe()).toEqual(expected);
      return;
    }
    let answer = await probe();
    while (!isEqual(answer, expected) && Date.now() - changedAt < POSTGRES_STAMP_MS + 2_000) answer = await probe();
    expect(answer).toEqual(expected);
    expect(Date.now() - changedAt).toBeLessThanOrEqual(POSTGRES_STAMP_MS + 2_000);
  }

  test('a revoked token is refused on the next request, whoever revoked it', async () => {
    // Revoked through the server (and so in this process): refused at once on both backends.
    const first = await createToken('cache-first');
    expect(await whoami(first)).toEqual([200, 'cache-first']);
    expect(await whoami(first)).toEqual([200, 'cache-first']);
    const revoked = await t.request('/api/v1/tokens/cache-first', { method: 'DELETE', token: t.adminToken });
    expect(revoked.status).toBe(200);
    expect(await whoami(first)).toEqual([401, 'the token has been revoked']);

    // Revoked through another store of this process (the CLI's code path): refused at once too.
    const second = await createToken('cache-second');
    expect(await whoami(second)).toEqual([200, 'cache-second']);
    await t.store.revokeApiToken('cache-second');
    expect(await whoami(second)).toEqual([401, 'the token has been revoked']);

    // Revoked by another process, with SQL on a connection of its own.
    const third = await createToken('cache-third');
    expect(await whoami(third)).toEqual([200, 'cache-third']);
    expect(await whoami(third)).toEqual([200, 'cache-third']);
    const changedAt = Date.now();
    await t.rawExec(`update api_tokens set revoked_at = '${new Date().toISOString()}' where name = 'cache-third'`);
    await seenWithinBound(changedAt, () => whoami(third), [401, 'the token has been revoked']);
    // The admin token, cached all along, is still served.
    expect(await whoami(t.adminToken)).toEqual([200, 'admin']);
  });

  test('an A/B test that ends stops assigning to its treatment and taking outcomes on the next request', async () => {
    for (const version of ['1.0.0', '1.1.0'])
      await t.store.createVersion({
        model: 'cache',
        version,
        artifact: artifactRef(version),
        config: {},
        metrics: {},
        git: null,
        gitReason: 'test',
        author: 'test',
      });
    const definition = AbTestInput.parse({
      id: 'cache-ab',
      model: 'cache',
      control: '1.0.0',
      treatment: '1.1.0',
      split: SPLIT,
      duration: '1d',
      metric: { name: 'click', kind: 'binary' },
    });
    await t.store.createAbTest({
      id: 'cache-ab',
      name: 'cache-ab',
      model: 'cache',
      control: '1.0.0',
      treatment: '1.1.0',
      split: SPLIT,
      salt: 'cache-ab',
      definition: JSON.parse(JSON.stringify(definition)) as Record<string, never>,
    });
    await t.store.updateAbTest('cache-ab', { status: 'RUNNING', startedAt: new Date().toISOString() });
    const unit = unitIn('treatment');
    const assigned = async () => {
      const res = await t.request(`/api/v1/ab-tests/cache-ab/assignments/${unit}`, { token: t.adminToken });
      const body = (await res.json()) as { version: string; testStatus: string; ended: boolean };
      return [res.status, body.version, body.testStatus, body.ended];
    };
    const outcome = async () => {
      const res = await t.request('/api/v1/ab-tests/cache-ab/outcomes', {
        method: 'POST',
        token: t.adminToken,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcomes: [{ unitId: unit, value: 1 }] }),
      });
      const body = (await res.json()) as { recorded?: number; detail?: string };
      return [res.status, body.recorded ?? body.detail];
    };
    expect(await assigned()).toEqual([200, '1.1.0', 'RUNNING', false]);
    expect(await assigned()).toEqual([200, '1.1.0', 'RUNNING', false]);
    expect(await outcome()).toEqual([200, 1]);

    // Ended by another process (a worker of its own, or an operator), with SQL on a connection of its own.
    const changedAt = Date.now();
    await t.rawExec(
      `update ab_tests set status = 'ABORTED', ended_at = '${new Date().toISOString()}' where id = 'cache-ab'`,
    );
    await seenWithinBound(changedAt, assigned, [200, '1.0.0', 'ABORTED', true]);
    expect(await outcome()).toEqual([422, 'A/B test cache-ab is ABORTED; outcomes are recorded only while it runs']);

    // Changed through a store of this process: seen at once on both backends.
    await t.store.updateAbTest('cache-ab', { status: 'RUNNING' });
    expect(await assigned()).toEqual([200, '1.1.0', 'RUNNING', false]);
    await t.store.updateAbTest('cache-ab', { status: 'STOPPED', endedAt: new Date().toISOString() });
    expect(await assigned()).toEqual([200, '1.0.0', 'STOPPED', true]);
    expect(await outcome()).toEqual([422, 'A/B test cache-ab is STOPPED; outcomes are recorded only while it runs']);
  });
});

function isEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
