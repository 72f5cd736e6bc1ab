import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryStore } from '../../src/store/registry-store';
import { assign } from '../../src/stats/assignment';
import { buildCli, freePort, modelctl, type Run } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/git-repo';
import { CLI_MODES, startEmbeddedCliSuite, type EmbeddedCliSuite } from '../helpers/cli-modes';

function ok<T>(run: Run): T {
  expect([run.status, run.stderr]).toEqual([0, '']);
  return JSON.parse(run.stdout) as T;
}

describe.each(CLI_MODES)(
  'modelctl from the command line: register → promote → A/B test → rollback on the embedded dev server (%s mode)',
  (mode) => {
    let home: string;
    let suite: EmbeddedCliSuite;
    let env: NodeJS.ProcessEnv;
    let store: RegistryStore;
    let repo: TempRepo;
    const cli = (...args: string[]) => modelctl(args, { env });
    const scratch: string[] = [];
    const scratchDir = (prefix: string) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      scratch.push(dir);
      return dir;
    };

    beforeAll(async () => {
      buildCli();
      home = scratchDir('modelctl-lifecycle-');
      repo = await makeTempRepo();
      await repo.commit('train.py', 'print("train")\n');
      const local = {
        MODELCTL_HOME: home,
        MODELCTL_TEMPORAL_PORT: String(await freePort()),
        MODELCTL_TEMPORAL_UI_PORT: String(await freePort()),
        TEMPORAL_ADDRESS: '',
        USER: 'ci',
        MODELCTL_GIT_REPO: repo.dir,
      };
      writeFileSync(join(home, 'v1.bin'), 'ranker weights v1');
      writeFileSync(join(home, 'v2.bin'), 'ranker weights v2');
      suite = await startEmbeddedCliSuite(mode, local);
      ({ store } = suite);
      env = suite.session.env;
    });
    afterAll(async () => {
      await suite?.close();
      await repo?.cleanup();
      for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    });

    test('the whole lifecycle through the CLI, checked in --json output and in the store', async () => {
      const v1 = ok<{ version: string }>(
        cli('register', 'ranker', join(home, 'v1.bin'), '--metric', 'ndcg=0.71', '--json'),
      );
      const v2 = ok<{ version: string; parentVersion: string }>(
        cli('register', 'ranker', join(home, 'v2.bin'), '--metric', 'ndcg=0.74', '--parent', '1.0.0', '--json'),
      );
      expect([v1.version, v2.version, v2.parentVersion]).toEqual(['1.0.0', '1.0.1', '1.0.0']);

      const promoted = ok<{ outcome: string; version: string; gates: { passed: boolean }[]; url: string }>(
        cli('promote', 'ranker', '1.0.0', '--gate', 'ndcg>=0.7', '--reason', 'first release', '--json'),
      );
      expect(promoted).toMatchObject({ outcome: 'PROMOTED', version: '1.0.0', gates: [{ passed: true }] });
      expect(promoted.url).toMatch(/\/namespaces\/default\/workflows\/promote-ranker$/);

      const started = ok<{ id: string; workflowId: string }>(
        cli(
          'abtest',
          'start',
          'ranker',
          '1.0.0',
          '1.0.1',
          '--id',
          'ranker-ab',
          '--duration',
          // Long enough for assign, record and the interim status (three CLI processes) on a loaded machine.
          '20s',
          '--metric',
          'click',
          '--auto-promote',
          '--json',
        ),
      );
      expect(started).toMatchObject({ id: 'ranker-ab', workflowId: 'abtest-ranker-ab' });

      const units = Array.from({ length: 3000 }, (_, i) => `u${i}`);
      const assigned = ok<{ unitId: string; arm: string; version: string }[]>(
        cli('abtest', 'assign', 'ranker-ab', 'u0', 'u1', 'u2', '--json'),
      );
      expect(assigned.map((a) => a.arm)).toEqual(
        ['u0', 'u1', 'u2'].map((u) => assign('ranker-ab', u, { control: 5000, treatment: 5000 }).arm),
      );
      // The treatment clicks more: every 5th control unit vs every 3rd treatment unit (deterministic, no randomness).
      const lines = units.map(
        (u, i) =>
          `${u},${assign('ranker-ab', u, { control: 5000, treatment: 5000 }).arm === 'treatment' ? Number(i % 3 === 0) : Number(i % 5 === 0)}`,
      );
      writeFileSync(join(home, 'outcomes.csv'), `${lines.join('\n')}\n`);
      const recorded = ok<{ recorded: number; control: number; treatment: number }>(
        cli('abtest', 'record', 'ranker-ab', '--file', join(home, 'outcomes.csv'), '--json'),
      );
      expect(recorded.recorded).toBe(3000);
      expect(recorded.control + recorded.treatment).toBe(3000);

      const interim = ok<{ kind: string; state: { status: string }; interim: { units: { control: number } } }>(
        cli('abtest', 'status', 'ranker-ab', '--json'),
      );
      expect(interim.state.status).toBe('RUNNING');
      expect(interim.interim.units.control).toBe(recorded.control);

      const final = ok<{
        result: { status: string; decision: string; winner: string; promotion: { outcome: string } };
      }>(cli('abtest', 'status', 'ranker-ab', '--wait', '--json'));
      expect(final.result).toMatchObject({
        status: 'COMPLETED',
        decision: 'treatment',
        winner: '1.0.1',
        promotion: { outcome: 'PROMOTED' },
      });
      expect((await store.productionVersion('ranker'))?.version).toBe('1.0.1');
      // The test has ended: every unit, control units too, gets the promoted winner, and the answer says so.
      const after = cli('abtest', 'assign', 'ranker-ab', 'u0', 'u1', 'u2');
      expect([after.status, after.stderr, after.stdout]).toEqual([
        0,
        '',
        [
          'A/B test has ended (COMPLETED): every unit gets 1.0.1, the version that serves now',
          ...['u0', 'u1', 'u2'].map((u) => {
            const { arm, bucket } = assign('ranker-ab', u, { control: 5000, treatment: 5000 });
            return `${u}\t${arm}\t1.0.1\tbucket ${bucket}`;
          }),
          '',
        ].join('\n'),
      ]);

      const rolled = ok<{ version: string; previousVersion: string; reason: string }>(
        cli('rollback', 'ranker', '--reason', 'CTR dropped in production', '--json'),
      );
      expect(rolled).toMatchObject({ version: '1.0.0', previousVersion: '1.0.1', reason: 'CTR dropped in production' });
      expect((await store.productionVersion('ranker'))?.version).toBe('1.0.0');
      expect((await store.getAbTest('ranker-ab'))?.status).toBe('COMPLETED');
      // Once ended, status shows the stored result without --wait; the test is tracked as an experiment.
      const ended = ok<{ kind: string; result: { status: string; winner: string } }>(
        cli('abtest', 'status', 'ranker-ab', '--json'),
      );
      expect([ended.kind, ended.result.status, ended.result.winner]).toEqual(['result', 'COMPLETED', '1.0.1']);
      const { experiment } = ok<{ experiment: { type: string; status: string; summary: Record<string, number> } }>(
        cli('experiment', 'show', 'abtest-ranker-ab', '--json'),
      );
      expect([experiment.type, experiment.status]).toEqual(['AB_TEST', 'COMPLETED']);
      expect(experiment.summary['control/units']! + experiment.summary['treatment/units']!).toBe(3000);

      const history = ok<{ versions: { version: string; status: string }[] }>(cli('history', 'ranker', '--json'));
      expect(history.versions.map((v) => [v.version, v.status])).toEqual([
        ['1.0.0', 'PRODUCTION'],
        ['1.0.1', 'DEPRECATED'],
      ]);

      // The lifecycle tags written along the way rebuild the same story without the store.
      const fromGit = ok<{
        source: string;
        history: { versions: { tag: string }[]; stages: { version: string; status: string }[] };
      }>(cli('history', 'ranker', '--from-git', '--json'));
      expect(fromGit.history.versions.map((v) => v.tag)).toEqual(['ranker@v1.0.0', 'ranker@v1.0.1']);
      const events = (await store.events('ranker'))
        .filter((e) => e.fromStatus !== null)
        .map((e) => [e.version, e.toStatus]);
      expect(fromGit.history.stages.filter((s) => s.status !== 'VALIDATION').map((s) => [s.version, s.status])).toEqual(
        events,
      );
    });

    test('a promotion refused by the artifact check exits 6 with one line saying the version moved to FAILED', async () => {
      writeFileSync(join(home, 'v9.bin'), 'ranker weights v9');
      const v = ok<{ version: string; artifact: { uri: string } }>(
        cli('register', 'ranker', join(home, 'v9.bin'), '--metric', 'ndcg=0.9', '--json'),
      );
      chmodSync(new URL(v.artifact.uri), 0o644);
      writeFileSync(new URL(v.artifact.uri), 'ranker weights vX');
      const run = cli('promote', 'ranker', v.version);
      expect(run.status).toBe(6);
      expect(run.stderr).toMatch(
        new RegExp(
          `^modelctl: promotion of ranker@${v.version.replace(/\./g, '\\.')} rejected: artifact check failed: checksum mismatch for file:[^\n]*; ranker@[0-9.]+ moved to FAILED\n$`,
        ),
      );
      expect((await store.getVersion('ranker', v.version))?.status).toBe('FAILED');
    });

    if (mode === 'remote')
      test('remote mode opens no local registry: another MODELCTL_HOME is neither refused nor touched', () => {
        const other = scratchDir('modelctl-other-home-');
        const run = modelctl(['production', 'ranker', '--json'], { env: { ...env, MODELCTL_HOME: other } });
        expect([run.status, run.stderr, (JSON.parse(run.stdout) as { version: string }).version]).toEqual([
          0,
          '',
          '1.0.0',
        ]);
        expect(readdirSync(other)).toEqual([]);
      });
    else
      test("a second registry home on the same embedded server is refused instead of sharing the first home's worker", async () => {
        const other = scratchDir('modelctl-other-home-');
        const run = modelctl(['promote', 'ranker', '1.0.0'], { env: { ...env, MODELCTL_HOME: other } });
        expect(run.status).toBe(4);
        expect(run.stderr).toMatch(
          new RegExp(
            `^modelctl: task queue modelctl on 127\\.0\\.0\\.1:${env.MODELCTL_TEMPORAL_PORT} is served by a worker of another registry, ` +
              `registry ${await store.registryId()} \\(home ${home.replace(/[.]/g, '\\.')}\\); refused while that worker polls; ` +
              'if it has stopped, from \\S+ on \\(75 seconds after its last poll at \\S+\\); give each registry its own ' +
              'TEMPORAL_TASK_QUEUE or Temporal server \\(MODELCTL_TEMPORAL_PORT and MODELCTL_TEMPORAL_UI_PORT for the embedded one\\)\n$',
          ),
        );
        // Refused before anything started: no worker for the other home.
        expect(existsSync(join(other, 'worker', 'worker.pid'))).toBe(false);
      });

    test('bad traffic input: a binary outcome other than 0/1 and a finished test are refused with one line', () => {
      const r1 = cli('abtest', 'record', 'ranker-ab', 'u1=1');
      expect([r1.status, r1.stderr]).toEqual([
        5,
        'modelctl: A/B test ranker-ab is COMPLETED; outcomes are recorded only while it runs\n',
      ]);
      const r2 = cli('abtest', 'record', 'nosuch', 'u1=1');
      expect([r2.status, r2.stderr]).toEqual([3, 'modelctl: A/B test nosuch does not exist\n']);
      const r3 = cli('abtest', 'record', 'ranker-ab', 'u1');
      expect([r3.status, r3.stderr]).toEqual([
        2,
        'modelctl: invalid outcome "u1": expected unitId=value, e.g. user-1=1\n',
      ]);
      // A test that cannot start says why at once instead of "started".
      const r4 = cli('abtest', 'start', 'ranker', '1.0.0', '9.9.9', '--duration', '1d', '--id', 'ranker-typo');
      expect([r4.status, r4.stdout, r4.stderr]).toEqual([
        3,
        '',
        'modelctl: model version ranker@9.9.9 does not exist\n',
      ]);
      const r5 = cli('abtest', 'status', 'nosuch');
      expect([r5.status, r5.stderr]).toEqual([3, 'modelctl: A/B test nosuch: no workflow abtest-nosuch\n']);
      const r6 = cli('abtest', 'schedule', 'pause', 'nosuch');
      expect([r6.status, r6.stderr]).toEqual([
        3,
        'modelctl: cannot pause A/B test schedule nosuch: no such schedule\n',
      ]);
      const r7 = cli('abtest', 'stop', 'ranker-ab', '--abort');
      expect([r7.status, r7.stderr]).toEqual([5, 'modelctl: abort of A/B test ranker-ab: it has already ended\n']);
    });

    if (mode === 'remote')
      test('remote mode needs no Temporal binary: the server runs the workflow', () => {
        const fresh = scratchDir('modelctl-nobinary-');
        const r = modelctl(['promote', 'ranker', '1.0.0', '--json'], {
          env: { ...env, MODELCTL_HOME: fresh, TEMPORAL_CLI_PATH: '/nonexistent/temporal' },
        });
        expect([r.status, r.stderr, (JSON.parse(r.stdout) as { outcome: string }).outcome]).toEqual([
          0,
          '',
          'ALREADY_IN_PRODUCTION',
        ]);
        expect(readdirSync(fresh)).toEqual([]);
      });
    else
      test('a missing Temporal binary is one clear line with the fix, not a stack trace or a hang', async () => {
        const fresh = scratchDir('modelctl-nobinary-');
        const r = modelctl(['promote', 'ranker', '1.0.0'], {
          env: {
            MODELCTL_HOME: fresh,
            MODELCTL_TEMPORAL_PORT: String(await freePort()),
            // Not the default 8233, which a demo's dev server may hold: its port check would answer first.
            MODELCTL_TEMPORAL_UI_PORT: String(await freePort()),
            TEMPORAL_ADDRESS: '',
            TEMPORAL_CLI_PATH: '/nonexistent/temporal',
          },
        });
        expect([r.status, r.stdout, r.stderr]).toEqual([
          7,
          '',
          'modelctl: TEMPORAL_CLI_PATH=/nonexistent/temporal is not an executable file; fix the path or unset it\n',
        ]);
      });
  },
);
