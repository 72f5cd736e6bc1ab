import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryStore } from '../../src/store/registry-store';
import type { RegistryReport } from '../../src/client/report';
import { buildCli, freePort, modelctl, type Run } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/git-repo';
import { CLI_MODES, startEmbeddedCliSuite, type EmbeddedCliSuite } from '../helpers/cli-modes';

function ok<T>(run: Run): T {
  expect([run.status, run.stderr]).toEqual([0, '']);
  return JSON.parse(run.stdout) as T;
}

async function devEnv(
  prefix: string,
  extra: NodeJS.ProcessEnv = {},
): Promise<{ home: string; env: NodeJS.ProcessEnv }> {
  const home = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(home, 'v1.bin'), 'ranker weights v1');
  writeFileSync(join(home, 'v2.bin'), 'ranker weights v2');
  writeFileSync(join(home, 'v3.bin'), 'ranker weights v3');
  const env = {
    MODELCTL_HOME: home,
    MODELCTL_TEMPORAL_PORT: String(await freePort()),
    MODELCTL_TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: '',
    USER: 'ci',
    ...extra,
  };
  return { home, env };
}

describe.each(CLI_MODES)(
  'audit trail, pre-start checks and failure messages of the lifecycle commands (embedded dev server, %s mode)',
  (mode) => {
    let home: string;
    let suite: EmbeddedCliSuite;
    let env: NodeJS.ProcessEnv;
    let store: RegistryStore;
    const cli = (...args: string[]) => modelctl(args, { env });
    // Over HTTP the approver is the token's name (ci), never the --approver a client sends.
    const approver = mode === 'remote' ? 'ci' : 'lead@example.com';

    beforeAll(async () => {
      buildCli();
      const dev = await devEnv('modelctl-audit-');
      home = dev.home;
      suite = await startEmbeddedCliSuite(mode, dev.env);
      ({ store } = suite);
      env = suite.session.env;
    });
    afterAll(() => suite?.close());

    test('a promotion of a version that does not exist, or cannot be promoted, is refused before anything starts, --no-wait or not', async () => {
      ok(cli('register', 'ranker', join(home, 'v1.bin'), '--metric', 'ndcg=0.71', '--json'));
      ok(cli('register', 'ranker', join(home, 'v3.bin'), '--metric', 'ndcg=0.5', '--json'));
      await store.transition({ model: 'ranker', version: '1.0.1', to: 'FAILED', actor: 'ci', reason: 'bad eval' });

      const missing = cli('promote', 'ranker', '9.9.9', '--no-wait');
      expect(missing).toEqual({
        status: 3,
        stdout: '',
        stderr: 'modelctl: model version ranker@9.9.9 does not exist\n',
      });
      const failed = cli('promote', 'ranker', '1.0.1', '--no-wait');
      expect(failed).toEqual({
        status: 5,
        stdout: '',
        stderr: 'modelctl: cannot promote ranker@1.0.1: it is FAILED; nothing was started\n',
      });
      const rollback = cli('rollback', 'ranker', '--to', '7.0.0', '--reason', 'incident');
      expect(rollback).toEqual({
        status: 3,
        stdout: '',
        stderr: 'modelctl: cannot roll ranker back to 7.0.0: no such version\n',
      });
      expect(await store.events('ranker')).toHaveLength(3);
    });

    test('the approver and comment are recorded on both events of the swap and in the report; the deprecation says how it happened', async () => {
      ok(cli('promote', 'ranker', '1.0.0', '--reason', 'first release', '--json'));
      ok(cli('register', 'ranker', join(home, 'v2.bin'), '--metric', 'ndcg=0.74', '--json'));
      expect(
        ok<{ started: string }>(cli('promote', 'ranker', '1.0.2', '--require-approval', '10m', '--no-wait', '--json')),
      ).toEqual({ started: 'promote-ranker', url: expect.stringMatching(/\/workflows\/promote-ranker$/) });
      // The update is refused until the run reaches AWAITING_APPROVAL (artifact check and gates come first).
      let approve: Run = cli(
        'approve',
        'ranker',
        '--approver',
        'lead@example.com',
        '--comment',
        'checked the eval report',
      );
      for (let i = 0; i < 30 && approve.status !== 0; i++) {
        expect(approve.stderr).toMatch(/not awaiting approval/);
        await new Promise((r) => setTimeout(r, 500));
        approve = cli('approve', 'ranker', '--approver', 'lead@example.com', '--comment', 'checked the eval report');
      }
      expect([approve.status, approve.stdout]).toEqual([0, `approved the promotion of ranker as ${approver}\n`]);
      ok(cli('promote', 'ranker', '1.0.2', '--attach', '--json'));
      expect((await store.productionVersion('ranker'))?.version).toBe('1.0.2');

      const approval = { approver, comment: 'checked the eval report' };
      const swap = (await store.events('ranker')).slice(-2);
      expect(swap.map((e) => [e.version, e.fromStatus, e.toStatus, e.via, e.actor, e.reason, e.approval])).toEqual([
        [
          '1.0.0',
          'PRODUCTION',
          'DEPRECATED',
          'PROMOTION',
          'ci',
          `replaced by 1.0.2: approved by ${approver}`,
          approval,
        ],
        ['1.0.2', 'VALIDATION', 'PRODUCTION', 'PROMOTION', 'ci', `approved by ${approver}`, approval],
      ]);

      const report = ok<RegistryReport>(cli('report', '--json'));
      const timeline = (v: string) => report.models[0]!.versions.find((x) => x.version === v)!.timeline;
      expect(timeline('1.0.2').at(-1)).toMatchObject({ toStatus: 'PRODUCTION', via: 'PROMOTION', approval });
      expect(timeline('1.0.0').at(-1)).toMatchObject({ toStatus: 'DEPRECATED', via: 'PROMOTION', approval });
      // The first promotion had no approval: null, not a missing field.
      expect(timeline('1.0.0')[1]).toMatchObject({ toStatus: 'PRODUCTION', approval: null });

      const history = cli('history', 'ranker');
      expect(history.status).toBe(0);
      expect(history.stdout).toContain(
        `VALIDATION → PRODUCTION  promotion, by ci, approved by ${approver}, approval ${approver}: "checked the eval report", workflow promote-ranker`,
      );

      ok(cli('rollback', 'ranker', '--reason', 'latency regression', '--json'));
      const back = (await store.events('ranker')).slice(-2);
      expect(back.map((e) => [e.version, e.fromStatus, e.toStatus, e.via, e.approval])).toEqual([
        ['1.0.2', 'PRODUCTION', 'DEPRECATED', 'ROLLBACK', null],
        ['1.0.0', 'DEPRECATED', 'PRODUCTION', 'ROLLBACK', null],
      ]);
    });
  },
);

describe('best-effort failures are warnings on stderr in text output too (embedded dev server, Git push to a missing remote)', () => {
  let env: NodeJS.ProcessEnv;
  let home: string;
  let repo: TempRepo;
  const cli = (...args: string[]) => modelctl(args, { env });

  beforeAll(async () => {
    buildCli();
    repo = await makeTempRepo();
    await repo.commit('train.py', 'print("train")\n');
    const gone = join(mkdtempSync(join(tmpdir(), 'modelctl-remote-')), 'origin.git');
    execFileSync('git', ['remote', 'add', 'origin', gone], { cwd: repo.dir });
    ({ home, env } = await devEnv('modelctl-warnings-', { MODELCTL_GIT_REPO: repo.dir, MODELCTL_GIT_PUSH: '1' }));
  });
  afterAll(async () => {
    if (env) modelctl(['dev', '--stop'], { env });
    await repo?.cleanup();
  });

  test('a promotion whose tags cannot be pushed succeeds, prints its result, and one warning line naming the remote', () => {
    // The registration tag cannot be pushed either: one warning line, not Node's multi-line process warning.
    const registered = cli('register', 'ranker', join(home, 'v1.bin'), '--metric', 'ndcg=0.71');
    expect(registered.status).toBe(0);
    expect(registered.stdout).toMatch(/^registered ranker@1\.0\.0 \(VALIDATION\)\n/);
    expect(registered.stderr).toMatch(
      /^modelctl: warning: registered ranker@1\.0\.0, but its Git tag was not written: fatal: '[^']*origin\.git' does not appear to be a git repository fatal: Could not read from remote repository\. [^\n]*\n$/,
    );
    const promoted = cli('promote', 'ranker', '1.0.0');
    expect(promoted.status).toBe(0);
    expect(promoted.stdout).toBe(
      `ranker@1.0.0 is in PRODUCTION\n  workflow: http://localhost:${env.MODELCTL_TEMPORAL_UI_PORT}/namespaces/default/workflows/promote-ranker\n`,
    );
    const lines = promoted.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^modelctl: warning: Git tagging failed: .*origin\.git/);
    // The tags themselves were written locally.
    expect(repo.git('tag', '--list', 'ranker*').trim().split('\n')).toEqual(['ranker#production#1', 'ranker@v1.0.0']);
  }, 170_000);
});
