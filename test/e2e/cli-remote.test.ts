import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { LifecycleClient } from '../../src/client/lifecycle-client';
import { startTestApiServer, type TestApiServer } from '../helpers/api-server';
import { buildCli, freePort, modelctlAsync as modelctl, type Run } from '../helpers/cli';
import { startDevServer } from '../helpers/temporal';
import { makeTempRepo } from '../helpers/git-repo';
import type { ModelVersion } from '../../src/domain/model-version';

/** A successful `--json` run: exit 0, nothing on stderr, the parsed output. */
function ok<T>(run: Run): T {
  expect([run.status, run.stderr]).toEqual([0, '']);
  return JSON.parse(run.stdout) as T;
}

/**
 * The CLI in remote mode against `modelctl serve` (in this process, on a Temporal dev server with a worker), beside
 * the same commands in local mode on the server's own registry: the same output and the same exit codes.
 */
describe('modelctl in remote mode (MODELCTL_URL) prints what it prints locally', () => {
  let temporal: TestWorkflowEnvironment;
  let t: TestApiServer;
  let local: NodeJS.ProcessEnv;
  let remote: NodeJS.ProcessEnv;
  let work: string;
  /** The home of the remote runs: never created, since a remote command opens no local registry. */
  let remoteHome: string;
  const inLocal = (...args: string[]) => modelctl(args, { env: local });
  const inRemote = (...args: string[]) => modelctl(args, { env: remote });
  /** Runs a command in both modes and expects the same exit code, stdout and stderr; returns the remote run. */
  const same = async (...args: string[]): Promise<Run> => {
    const l = await inLocal(...args);
    const r = await inRemote(...args);
    expect({ args, status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      args,
      status: l.status,
      stdout: l.stdout,
      stderr: l.stderr,
    });
    return r;
  };

  beforeAll(async () => {
    buildCli();
    temporal = await startDevServer();
    t = await startTestApiServer('sqlite', { rateLimitMax: 100_000 }, temporal);
    work = mkdtempSync(join(tmpdir(), 'modelctl-remote-'));
    remoteHome = join(work, 'no-home');
    // The token is named like the local user, so the actor recorded is the same in both modes.
    const created = await t.request('/api/v1/tokens', {
      method: 'POST',
      token: t.adminToken,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice', role: 'admin' }),
    });
    const { token } = (await created.json()) as { token: string };
    local = {
      MODELCTL_HOME: t.home,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: t.taskQueue,
      USER: 'alice',
    };
    remote = { MODELCTL_HOME: remoteHome, MODELCTL_URL: t.url, MODELCTL_TOKEN: token, USER: 'someone-else' };
    writeFileSync(join(work, 'v1.bin'), 'fraud weights v1');
    writeFileSync(join(work, 'v2.bin'), 'fraud weights v2');
    mkdirSync(join(work, 'model-dir'));
    writeFileSync(join(work, 'model-dir', 'model.json'), '{"layers":2}');
    writeFileSync(join(work, 'model-dir', 'weights.bin'), 'w'.repeat(5000));
  });
  afterAll(async () => {
    await t?.dispose();
    await temporal?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  test('registration streams the artifact (a directory as its tar) and reads answer as in local mode', async () => {
    const v1 = ok<{ version: string; author: string; artifact: { sha256: string } }>(
      await inRemote(
        'register',
        'fraud',
        join(work, 'v1.bin'),
        '--metric',
        'accuracy=0.91',
        '--config',
        '{"lr":0.1}',
        '--json',
      ),
    );
    expect(v1).toMatchObject({ version: '1.0.0', author: 'alice' });
    const v2 = ok<{ version: string; parentVersion: string; artifact: { mediaType: string } }>(
      await inRemote(
        'register',
        'fraud',
        join(work, 'model-dir'),
        '--metric',
        'accuracy=0.95',
        '--parent',
        '1.0.0',
        '--json',
      ),
    );
    expect(v2).toMatchObject({
      version: '1.0.1',
      parentVersion: '1.0.0',
      artifact: { mediaType: 'application/x-tar' },
    });
    // The same directory registered locally stores the same bytes: the remote tar is the deterministic one.
    const localCopy = ok<{ artifact: { sha256: string } }>(
      await inLocal('register', 'fraud-copy', join(work, 'model-dir'), '--json'),
    );
    expect((await t.store.getVersion('fraud', '1.0.1'))?.artifact.sha256).toBe(localCopy.artifact.sha256);

    await same('versions', 'fraud', '--json');
    await same('production', 'fraud', '--json');
    await same('history', 'fraud', '--json');
    await same('compare', 'fraud@1.0.0', 'fraud@1.0.1', '--json', '--metric', 'accuracy');
    const report = async (env: NodeJS.ProcessEnv) => {
      const r = ok<Record<string, unknown>>(await modelctl(['report', '--json'], { env }));
      return { ...r, generatedAt: 'at' };
    };
    expect(await report(remote)).toEqual(await report(local));

    // Failures: the same line and the same exit code.
    await same('versions', 'nosuch');
    await same('compare', 'fraud@1.0.0', 'fraud@9.9.9');
    await same('register', 'fraud', join(work, 'v2.bin'), '--version', '1.0.0');
    await same('register', 'fraud', join(work, 'v2.bin'), '--sha256', '0'.repeat(64));
    expect((await t.store.listVersions('fraud')).map((v) => v.version)).toEqual(['1.0.0', '1.0.1']);
    expect(existsSync(remoteHome)).toBe(false);
  });

  test('evaluation samples: register --eval-samples and evaluate remotely; compare runs the paired test', async () => {
    const lines = (value: (i: number) => number) =>
      Array.from({ length: 30 }, (_, i) => JSON.stringify({ unit: `u${i}`, metric: 'correct', value: value(i) })).join(
        '\n',
      ) + '\n';
    writeFileSync(
      join(work, 'eval-a.jsonl'),
      lines((i) => (i % 3 === 0 ? 1 : 0)),
    );
    writeFileSync(
      join(work, 'eval-b.jsonl'),
      lines((i) => (i === 0 ? 0 : 1)),
    );
    writeFileSync(
      join(work, 'eval-bad.jsonl'),
      '{"unit":"u0","metric":"correct","value":1}\n{"unit":"u1","metric":"correct"}\n',
    );
    const v1 = ok<{ version: string; evaluation: unknown }>(
      await inRemote(
        'register',
        'evalm',
        join(work, 'v1.bin'),
        '--eval-samples',
        join(work, 'eval-a.jsonl'),
        '--eval-set',
        'heldout',
        '--json',
      ),
    );
    expect(v1).toMatchObject({
      version: '1.0.0',
      evaluation: { evalSet: 'heldout', samples: 30, metrics: ['correct'] },
    });
    ok(await inRemote('register', 'evalm', join(work, 'v2.bin'), '--json'));
    const attached = await inRemote('evaluate', 'evalm@1.0.1', join(work, 'eval-b.jsonl'), '--eval-set', 'heldout');
    expect([attached.status, attached.stdout, attached.stderr]).toEqual([
      0,
      'attached 30 evaluation samples (correct) on set heldout to evalm@1.0.1\n',
      '',
    ]);
    expect(await t.store.evaluationSummaries('evalm', '1.0.1')).toEqual([
      { evalSet: 'heldout', metric: 'correct', units: 30, mean: 29 / 30, sd: expect.any(Number) as number },
    ]);
    const compared = JSON.parse((await same('compare', 'evalm@1.0.0', 'evalm@1.0.1', '--json')).stdout) as {
      significance: { evalSet: string; paired: boolean; test: string; verdict: string; units: unknown }[];
    };
    expect(compared.significance).toHaveLength(1);
    expect(compared.significance[0]).toMatchObject({
      evalSet: 'heldout',
      paired: true,
      test: 'mcnemar-mid-p',
      units: { a: 30, b: 30 },
      verdict: 'better',
    });
    await same('compare', 'evalm@1.0.0', 'evalm@1.0.1');
    // Failures: the same line and exit code in both modes, and nothing replaced.
    await same('evaluate', 'evalm@9.9.9', join(work, 'eval-b.jsonl'));
    await same('evaluate', 'evalm@1.0.1', join(work, 'eval-bad.jsonl'), '--eval-set', 'heldout');
    await same('evaluate', 'evalm@1.0.1', join(work, 'eval-b.jsonl'), '--eval-set', 'bad/name');
    expect((await t.store.evaluationSummaries('evalm', '1.0.1')).map((s) => [s.evalSet, s.units])).toEqual([
      ['heldout', 30],
    ]);
    // A set larger than one request takes is refused before the version is registered.
    writeFileSync(
      join(work, 'eval-big.jsonl'),
      Array.from({ length: 100_001 }, (_, i) => `{"unit":"u${i}","metric":"m","value":0}\n`).join(''),
    );
    const big = await inRemote(
      'register',
      'evalm',
      join(work, 'v2.bin'),
      '--eval-samples',
      join(work, 'eval-big.jsonl'),
    );
    expect([big.status, big.stderr]).toEqual([
      5,
      'modelctl: the HTTP API takes at most 100000 evaluation samples per set, not 100001; attach a larger set where the registry is (unset MODELCTL_URL)\n',
    ]);
    expect((await t.store.listVersions('evalm')).map((v) => v.version)).toEqual(['1.0.0', '1.0.1']);
  });

  test('experiments: start, log, link and end remotely; show prints the same in both modes', async () => {
    const { id } = ok<{ id: string }>(await inRemote('experiment', 'start', 'sweep', '--type', 'TRAINING', '--json'));
    const logged = await inRemote('experiment', 'log', id, 'loss=0.5', 'accuracy=0.8', '--step', '1');
    expect([logged.status, logged.stdout]).toEqual([0, `logged 2 points to ${id}\n`]);
    writeFileSync(
      join(work, 'points.jsonl'),
      '{"key":"loss","value":0.4,"step":2}\n{"key":"loss","value":0.3,"step":3}\n',
    );
    expect((await inRemote('experiment', 'log', id, '--file', join(work, 'points.jsonl'))).status).toBe(0);
    ok(await inRemote('experiment', 'link', id, 'fraud@1.0.0', '--json'));
    ok(await inRemote('experiment', 'end', id, '--json'));
    await same('experiment', 'show', id, '--json', '--max-points', '2');
    await same('experiment', 'end', id);
    await same('experiment', 'log', 'nosuch', 'loss=1', '--step', '0');
  });

  test("a remote registration records the Git state of the caller's working tree, as a local one does", async () => {
    const repo = await makeTempRepo();
    try {
      const commit = await repo.commit('train.py', 'print(1)\n');
      repo.git('remote', 'add', 'origin', 'https://ci:s3cret@git.example.com/team/fraud.git');
      const clean = ok<ModelVersion>(
        await inRemote('register', 'gitted', join(work, 'v1.bin'), '--git-dir', repo.dir, '--json'),
      );
      expect([clean.git, clean.gitReason]).toEqual([
        {
          commit,
          branch: 'main',
          dirty: false,
          diffSha256: null,
          detached: false,
          remote: 'https://git.example.com/team/fraud.git',
        },
        null,
      ]);
      await repo.write('train.py', 'print(2)\n');
      const dirty = ok<ModelVersion>(
        await inRemote('register', 'gitted', join(work, 'v2.bin'), '--git-dir', repo.dir, '--json'),
      );
      const locally = ok<ModelVersion>(
        await inLocal('register', 'gitted-local', join(work, 'v2.bin'), '--git-dir', repo.dir, '--json'),
      );
      expect(dirty.git).toEqual(locally.git);
      expect(dirty.git).toMatchObject({ commit, dirty: true, diffSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect((await t.store.getVersion('gitted', '1.0.1'))?.git).toEqual(locally.git);
      const outside = ok<ModelVersion>(
        await inRemote('register', 'gitted', join(work, 'v2.bin'), '--git-dir', work, '--json'),
      );
      expect([outside.git, outside.gitReason]).toEqual([null, `not a Git repository: ${work}`]);
    } finally {
      await repo.cleanup();
    }
    // The server checks what a client claims: one line naming the field, nothing registered.
    const claimed = {
      info: { commit: 'abc', branch: 'main', dirty: false, diffSha256: null, detached: false, remote: null },
      reason: null,
    };
    const refused = await t.request(
      `/api/v1/models/gitted/versions?version=9.0.0&git=${encodeURIComponent(JSON.stringify(claimed))}`,
      {
        method: 'POST',
        token: t.adminToken,
        headers: { 'content-type': 'application/octet-stream', 'content-length': '3' },
        body: 'abc',
      },
    );
    expect([refused.status, ((await refused.json()) as { detail: string }).detail]).toEqual([
      400,
      'invalid registration: git.info.commit: must be a 40- or 64-character lowercase hex commit id',
    ]);
    expect(await t.store.getVersion('gitted', '9.0.0')).toBeNull();
  });

  test('trend prints the same in both modes', async () => {
    await same('trend', 'fraud', '--metric', 'accuracy');
    await same('trend', 'fraud', '--metric', 'accuracy', '--json', '--lower-is-better');
    await same('trend', 'fraud', '--metric', 'nosuch');
    await same('trend', 'nosuch', '--metric', 'accuracy');
  });

  test('tokens: create, list and revoke through the server', async () => {
    const created = ok<{ name: string; role: string; token: string }>(
      await inRemote('token', 'create', '--name', 'ci-bot', '--role', 'editor', '--expires', '90d', '--json'),
    );
    expect(created).toMatchObject({ name: 'ci-bot', role: 'editor' });
    expect(created.token).toMatch(/^mct_/);
    await same('token', 'list', '--json');
    const revoked = await inRemote('token', 'revoke', 'ci-bot');
    expect(revoked.stdout).toMatch(/^revoked token ci-bot at \d{4}-/);
    await same('token', 'create', '--name', 'ci-bot', '--role', 'editor');
    // A token of the editor role may not manage tokens: one line, exit 5.
    const editor = await inRemote('token', 'list', '--token', created.token);
    expect([editor.status, editor.stderr]).toEqual([5, 'modelctl: the token has been revoked\n']);
  });

  test('promotion with approval, A/B test traffic, stop and rollback remotely, as the token', async () => {
    const started = ok<{ started: string }>(
      await inRemote('promote', 'fraud', '1.0.0', '--require-approval', '1h', '--no-wait', '--json'),
    );
    expect(started.started).toBe('promote-fraud');
    const approve = await inRemote('approve', 'fraud', '--approver', 'ignored', '--comment', 'ok');
    expect([approve.status, approve.stdout]).toEqual([0, 'approved the promotion of fraud as alice\n']);
    const promoted = ok<{ outcome: string; version: string; approvedBy: string; actor: string }>(
      await inRemote('promote', 'fraud', '1.0.0', '--attach', '--json'),
    );
    expect(promoted).toMatchObject({ outcome: 'ALREADY_IN_PRODUCTION', version: '1.0.0' });
    expect((await t.store.productionVersion('fraud'))?.version).toBe('1.0.0');
    await same('promote', 'fraud', '1.0.1', '--gate', 'accuracy>=0.99', '--on-gate-failure', 'KEEP');
    await same('approve', 'fraud');

    const ab = ok<{ id: string; workflowId: string }>(
      await inRemote(
        'abtest',
        'start',
        'fraud',
        '1.0.0',
        '1.0.1',
        '--id',
        'fraud-ab',
        '--duration',
        '1h',
        '--sequential',
        '--json',
      ),
    );
    expect(ab).toMatchObject({ id: 'fraud-ab', workflowId: 'abtest-fraud-ab' });
    await same('abtest', 'assign', 'fraud-ab', 'u1', 'u2', 'u3', '--json');
    const recorded = await inRemote('abtest', 'record', 'fraud-ab', 'u1=1', 'u2=0', 'u3=1');
    expect(recorded.stdout).toMatch(/^recorded 3 outcomes \(control \d, treatment \d\)\n$/);
    await same('abtest', 'record', 'fraud-ab', 'u1=1', 'u1=0');
    await same('abtest', 'status', 'fraud-ab', '--json');
    await same('abtest', 'status', 'nosuch');
    const stopped = await inRemote('abtest', 'stop', 'fraud-ab', '--abort', '--reason', 'bad traffic');
    expect([stopped.status, stopped.stdout]).toEqual([0, 'A/B test fraud-ab: abort requested by alice; it ends now\n']);
    const ended = ok<{ kind: string; result: { status: string; endedBy: string } }>(
      await inRemote('abtest', 'status', 'fraud-ab', '--wait', '--json'),
    );
    expect([ended.kind, ended.result.status, ended.result.endedBy]).toEqual(['result', 'ABORTED', 'alice']);
    await same('abtest', 'status', 'fraud-ab', '--json');
    await same('abtest', 'stop', 'fraud-ab', '--abort');
    // Aborted: every unit, treatment units too, gets the production control, in both modes.
    const served = await same('abtest', 'assign', 'fraud-ab', 'u1', 'u2', 'u3');
    expect(served.stdout.split('\n')[0]).toBe(
      'A/B test has ended (ABORTED): every unit gets 1.0.0, the version that serves now',
    );
    expect(
      served.stdout
        .split('\n')
        .slice(1, 4)
        .map((l) => l.split('\t')[2]),
    ).toEqual(['1.0.0', '1.0.0', '1.0.0']);
    await same('abtest', 'record', 'fraud-ab', 'u1=1');

    ok(await inRemote('promote', 'fraud', '1.0.1', '--json'));
    const rolled = ok<{ version: string; previousVersion: string; actor: string; reason: string }>(
      await inRemote('rollback', 'fraud', '--reason', 'regression', '--json'),
    );
    expect(rolled).toMatchObject({ version: '1.0.0', previousVersion: '1.0.1', actor: 'alice', reason: 'regression' });
    await same('rollback', 'fraud', '--reason', 'again', '--to', '1.0.0');
  }, 300_000);

  test('guards and observations remotely: policy, observe, start, status, pause, resume, acknowledge, stop', async () => {
    ok(await inRemote('register', 'guarded', join(work, 'v1.bin'), '--json'));
    ok(await inRemote('register', 'guarded', join(work, 'v2.bin'), '--json'));
    ok(await inRemote('promote', 'guarded', '1.0.0', '--json'));
    ok(await inRemote('promote', 'guarded', '1.0.1', '--json'));
    await same('guard', 'policy', 'show', 'guarded');
    await same('guard', 'start', 'guarded');
    writeFileSync(
      join(work, 'guard.json'),
      JSON.stringify({
        metrics: [{ metric: 'error', check: 'relative', direction: 'lower_is_better' }],
        checkInterval: '1h',
        bakeTime: '1d',
      }),
    );
    const set = ok<{ model: string; actor: string }>(
      await inRemote('guard', 'policy', 'set', 'guarded', `@${join(work, 'guard.json')}`, '--json'),
    );
    expect(set).toMatchObject({ model: 'guarded', actor: 'alice' });
    await same('guard', 'policy', 'show', 'guarded', '--json');
    await same('guard', 'policy', 'set', 'guarded', '{"metrics":[],"alpha":0.5}');

    await same('observe', 'guarded', '--version', '1.0.1', 'error=0', 'error=1', 'latency_ms=120');
    writeFileSync(
      join(work, 'observations.jsonl'),
      '{"metric":"error","value":0}\n{"metric":"error","window":{"count":100,"sum":2,"sumSquares":2,"min":0,"max":1}}\n',
    );
    await same('observe', 'guarded', '--version', '1.0.1', '--file', join(work, 'observations.jsonl'), '--json');
    await same('observe', 'guarded', '--version', '1.0.1', 'error=maybe');
    const observed = await t.store.aggregateObservations({
      model: 'guarded',
      version: '1.0.1',
      metric: 'error',
      from: '2000-01-01T00:00:00Z',
      to: '2100-01-01T00:00:00Z',
      quantiles: [],
    });
    expect([observed.count, observed.mean]).toEqual([2 * 103, (2 * 3) / 206]);

    const started = ok<{ workflowId: string; status: string; version: string; baselineVersion: string }>(
      await inRemote('guard', 'start', 'guarded', '--json'),
    );
    expect(started).toMatchObject({ workflowId: 'guard-guarded', status: 'WATCHING', version: '1.0.1' });
    // The guard resolves its baseline and records itself in its first activity, which may run after start answers.
    for (let i = 0; i < 300 && (await t.store.listGuards('guarded')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    let status = ok<{ baselineVersion: string | null }>(await inRemote('guard', 'status', 'guarded', '--json'));
    for (let i = 0; i < 10 && status.baselineVersion === null; i++)
      status = ok<{ baselineVersion: string | null }>(await inRemote('guard', 'status', 'guarded', '--json'));
    expect(status.baselineVersion).toBe('1.0.0');
    const [record] = await t.store.listGuards('guarded');
    expect([record!.actor, record!.status]).toEqual(['alice', 'WATCHING']);
    await same('guard', 'status', 'guarded', '--json');
    await same('guard', 'status', 'guarded');
    await same('guard', 'start', 'guarded');
    await same('guard', 'status', 'nosuch');

    const paused = ok<{ status: string }>(await inRemote('guard', 'pause', 'guarded', '--reason', 'deploy', '--json'));
    expect(paused.status).toBe('PAUSED');
    await same('guard', 'pause', 'guarded');
    await same('guard', 'status', 'guarded', '--json');
    expect(ok<{ status: string }>(await inRemote('guard', 'resume', 'guarded', '--json')).status).toBe('WATCHING');
    await same('guard', 'resume', 'guarded');
    await same('guard', 'acknowledge', 'guarded', '--json');
    expect(
      ok<{ status: string }>(await inRemote('guard', 'stop', 'guarded', '--reason', 'done', '--json')).status,
    ).toBe('WATCHING');
    const result = await new LifecycleClient(temporal.client, t.taskQueue).guardResult('guarded');
    expect([result.status, result.reason]).toEqual(['STOPPED', 'stopped by alice: done']);
    await same('guard', 'status', 'guarded', '--json');
    await same('guard', 'stop', 'guarded');
    expect((await t.store.listGuards('guarded')).map((g) => g.status)).toEqual(['STOPPED']);
  }, 300_000);

  test('A/B test schedules through the server', async () => {
    const created = ok<{ scheduleId: string }>(
      await inRemote(
        'abtest',
        'schedule',
        'create',
        'fraud',
        '1.0.0',
        '1.0.1',
        '--every',
        '7d',
        '--duration',
        '1d',
        '--paused',
        '--id',
        'fraud-weekly',
        '--json',
      ),
    );
    expect(created).toEqual({ scheduleId: 'fraud-weekly' });
    for (const verb of ['unpause', 'pause', 'delete'])
      expect((await inRemote('abtest', 'schedule', verb, 'fraud-weekly')).stdout).toBe(`${verb}: fraud-weekly\n`);
    await same('abtest', 'schedule', 'pause', 'fraud-weekly');
    const listed = await inRemote('abtest', 'schedule', 'list', '--json');
    expect(listed.status).toBe(0);
  });

  test('an unreachable server, a bad URL and a wrong token are one line each with their own exit codes', async () => {
    const port = await freePort();
    const down = await modelctl(['versions', 'fraud'], {
      env: { ...remote, MODELCTL_URL: `http://127.0.0.1:${port}` },
    });
    expect([down.status, down.stdout, down.stderr]).toEqual([
      9,
      '',
      `modelctl: cannot reach the modelctl server at http://127.0.0.1:${port} (ECONNREFUSED); check MODELCTL_URL / --url and that \`modelctl serve\` runs there\n`,
    ]);
    const empty = await modelctl(['versions', 'fraud'], { env: { ...remote, MODELCTL_URL: '' } });
    expect([empty.status, empty.stderr]).toEqual([
      2,
      'modelctl: invalid MODELCTL_URL: must not be empty (unset it to work on the local registry)\n',
    ]);
    const ftp = await modelctl(['versions', 'fraud', '--url', 'ftp://example.com'], { env: remote });
    expect([ftp.status, ftp.stderr]).toEqual([
      2,
      'modelctl: invalid --url: must be an http:// or https:// URL, e.g. http://127.0.0.1:8080\n',
    ]);
    const wrong = await modelctl(['versions', 'fraud'], { env: { ...remote, MODELCTL_TOKEN: 'mct_wrong' } });
    expect([wrong.status, wrong.stderr]).toEqual([5, 'modelctl: the token is not valid\n']);
    const none = await modelctl(['versions', 'fraud'], { env: { ...remote, MODELCTL_TOKEN: undefined } });
    expect([none.status, none.stderr]).toEqual([
      5,
      'modelctl: this operation needs a token: send Authorization: Bearer <token>\n',
    ]);
  });
});
