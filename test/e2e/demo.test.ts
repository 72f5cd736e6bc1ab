import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store';
import type { RegistryStore } from '../../src/store/registry-store';
import type { DemoAnswer } from '../../src/cli/commands/demo';
import type { MetricCheck } from '../../src/domain/guard';
import { buildCli, freePort, modelctl } from '../helpers/cli';

describe('modelctl demo and the workflow commands, as a user runs them', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let store: RegistryStore;
  let report: DemoAnswer;
  let dashboardPort: number;

  beforeAll(async () => {
    buildCli();
    home = mkdtempSync(join(tmpdir(), 'modelctl-demo-'));
    const port = await freePort();
    env = {
      MODELCTL_HOME: home,
      MODELCTL_TEMPORAL_PORT: String(port),
      MODELCTL_TEMPORAL_UI_PORT: String(await freePort()),
      TEMPORAL_ADDRESS: '',
    };
    dashboardPort = await freePort();
    const run = modelctl(['demo', '--json', '--ab-duration', '5s', '--dashboard-port', String(dashboardPort)], { env });
    if (run.status !== 0) throw new Error(`demo failed (${run.status}): ${run.stderr}`);
    report = JSON.parse(run.stdout) as DemoAnswer;
    store = await openStore({ home });
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    if (env) {
      const stopped = modelctl(['dev', '--stop'], { env });
      expect(stopped.stdout).toMatch(/^modelctl dev: background HTTP server \(modelctl serve\) stopped; /);
      await expect(fetch(`http://127.0.0.1:${dashboardPort}/healthz`)).rejects.toThrow();
    }
  });

  test('two real versions are trained, registered with lineage, artifacts, metrics and the Git commit', () => {
    const { v1, v2 } = report.versions;
    expect([v1.version, v2.version]).toEqual(['1.0.0', '1.0.1']);
    expect(v2.parentVersion).toBe('1.0.0');
    expect(report.heldOut.rows).toBe(539);
    expect([report.heldOut.v1.correct, report.heldOut.v2.correct]).toEqual([443, 515]);
    expect(v1.metrics.accuracy).toBeCloseTo(443 / 539, 12);
    expect(v2.metrics.accuracy).toBeCloseTo(515 / 539, 12);
    // Both versions carry their per-digit correctness on the same 539 rows, so compare runs the paired test.
    const [paired] = report.comparison.significance;
    expect(report.comparison.significance).toHaveLength(1);
    expect(paired).toMatchObject({
      evalSet: 'heldout-digits',
      metric: 'correct',
      paired: true,
      test: 'mcnemar-mid-p',
      units: { a: 539, b: 539 },
      verdict: 'better',
    });
    expect(paired!.difference.estimate).toBeCloseTo((515 - 443) / 539, 12);
    expect(paired!.pValue!).toBeGreaterThan(0);
    expect(paired!.pValue!).toBeLessThan(1e-6);
    expect(v1.artifact.mediaType).toBe('application/x-tar');
    expect(v1.artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.git?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(v1.experimentId).toBe(report.experimentId);
  });

  test('the training experiment holds per-epoch metrics for both versions', async () => {
    const experiment = await store.getExperiment(report.experimentId);
    expect(experiment?.status).toBe('COMPLETED');
    expect(await store.metricKeys(report.experimentId)).toEqual([
      'v1/accuracy',
      'v1/loss',
      'v1/val_accuracy',
      'v1/val_loss',
      'v2/accuracy',
      'v2/loss',
      'v2/val_accuracy',
      'v2/val_loss',
    ]);
    const page = await store.metricHistory({ experimentId: report.experimentId, key: 'v2/loss', limit: 100 });
    expect(page.points.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  test('the A/B test over the held-out rows picks the more accurate version, which is promoted, then rolled back by its guard', async () => {
    expect(report.promotion).toMatchObject({ version: '1.0.0', outcome: 'PROMOTED' });
    expect([report.abTest.status, report.abTest.decision, report.abTest.winner]).toEqual([
      'COMPLETED',
      'treatment',
      '1.0.1',
    ]);
    expect(report.abTest.analysis!.units.control + report.abTest.analysis!.units.treatment).toBe(539);
    expect(report.abTest.promotion).toMatchObject({ version: '1.0.1', outcome: 'PROMOTED', previousVersion: '1.0.0' });
    // The winner's guard: drifted live traffic (every digit shifted one pixel) makes 1.0.1 worse than the holdout on
    // 1.0.0 and breaks the 25 % error SLO at the first check with data, so the guard rolls back by itself.
    expect(report.abTest.guard).toMatchObject({
      workflowId: 'guard-digits',
      version: '1.0.1',
      baselineVersion: '1.0.0',
    });
    expect(report.guard).toMatchObject({ model: 'digits', version: '1.0.1', status: 'ROLLED_BACK' });
    const failed = report.guard.checks.at(-1)!;
    expect(failed.outcome).toBe('fail');
    expect(failed.metrics.map((m) => [m.metric, m.check, m.outcome])).toEqual([
      ['error', 'relative', 'fail'],
      ['error', 'slo', 'fail'],
    ]);
    const [relative, slo] = failed.metrics as [MetricCheck, MetricCheck];
    expect(relative.candidateCount + relative.baselineCount!).toBe(1797);
    expect(relative.candidateValue!).toBeGreaterThan(relative.baselineValue!);
    expect(relative.pValue!).toBeLessThanOrEqual(0.05);
    expect(slo.candidateValue!).toBeGreaterThan(0.25);
    expect(report.rollback).toMatchObject({ version: '1.0.0', previousVersion: '1.0.1' });
    expect(report.rollback.actor).toMatch(/^guard guard-digits-1\.0\.1-/);
    expect(report.rollback.reason).toContain(`guard check ${failed.seq} of digits@1.0.1 failed: error (relative)`);
    expect((await store.productionVersion('digits'))?.version).toBe('1.0.0');
    const transitions = (await store.events('digits')).map((e) => [e.version, e.toStatus]);
    expect(transitions).toEqual([
      ['1.0.0', 'VALIDATION'],
      ['1.0.1', 'VALIDATION'],
      ['1.0.0', 'PRODUCTION'],
      ['1.0.0', 'DEPRECATED'],
      ['1.0.1', 'PRODUCTION'],
      ['1.0.1', 'DEPRECATED'],
      ['1.0.0', 'PRODUCTION'],
    ]);
    const rolledBack = (await store.events('digits')).at(-1)!;
    expect(rolledBack.actor).toBe(report.rollback.actor);
    expect(rolledBack.reason).toContain('always-valid p = ');
    expect(existsSync(join(home, 'demo-report.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(home, 'demo-report.json'), 'utf8')).abTest.winner).toBe('1.0.1');
    expect(report.links.abTest).toMatch(
      /^http:\/\/localhost:\d+\/namespaces\/default\/workflows\/abtest-digits-1\.0\.0-vs-1\.0\.1-/,
    );
    // The A/B test is also an experiment, ended with the test, linked to both versions.
    const abExperiment = await store.getExperiment(`abtest-${report.abTest.id}`);
    expect(abExperiment).toMatchObject({
      type: 'AB_TEST',
      status: 'COMPLETED',
      linkedVersions: [
        { model: 'digits', version: '1.0.0' },
        { model: 'digits', version: '1.0.1' },
      ],
    });
    expect(abExperiment!.summary['control/units']! + abExperiment!.summary['treatment/units']!).toBe(539);
  });

  test('the demo leaves the HTTP server and dashboard running in the background; dev --stop stops it', async () => {
    const url = `http://127.0.0.1:${dashboardPort}`;
    expect(report.dashboard).toMatchObject({ running: true, url, started: true });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // Every route of the API still needs a token.
    expect((await fetch(`${url}/api/v1/models`)).status).toBe(401);
    const token = readFileSync(join(home, 'admin-token'), 'utf8').trim();
    const models = await fetch(`${url}/api/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    expect(models.status).toBe(200);
    expect(JSON.stringify(await models.json())).toContain('"digits"');
  });

  test('the embedded dev server runs with the dynamic config that keeps back-to-back workflows fast', () => {
    const pid = Number(readFileSync(join(home, 'temporal', 'dev-server.pid'), 'utf8').trim());
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(0, 3).map((a, i) => (i === 0 ? a.split('/').pop() : a))).toEqual([
      'temporal',
      'server',
      'start-dev',
    ]);
    const at = argv.indexOf('--dynamic-config-value');
    expect(argv.slice(at, at + 2)).toEqual(['--dynamic-config-value', 'history.transferProcessorMaxPollRPS=1000']);
  });

  test('workflow commands on the same home: promote and rollback by CLI, with --json', () => {
    const promoted = modelctl(['promote', 'digits', '1.0.1', '--json', '--actor', 'ci', '--reason', 'cli test'], {
      env,
    });
    // 1.0.1 is DEPRECATED after the demo's rollback: promotion is refused, rollback brings it back.
    expect(promoted.status).toBe(5);
    expect(promoted.stderr).toBe(
      'modelctl: cannot promote digits@1.0.1: it is DEPRECATED (use rollback); nothing was started\n',
    );
    const rolled = modelctl(
      ['rollback', 'digits', '--to', '1.0.1', '--reason', 'cli test', '--actor', 'ci', '--json'],
      { env },
    );
    expect(rolled.status).toBe(0);
    expect(JSON.parse(rolled.stdout)).toMatchObject({
      model: 'digits',
      version: '1.0.1',
      previousVersion: '1.0.0',
      reason: 'cli test',
      actor: 'ci',
    });
  });

  test('bad input through the CLI: non-zero exit, one clear line, nothing changed', async () => {
    const before = (await store.events('digits')).length;
    const cases: [string[], number, string][] = [
      [['promote', 'nosuch', '1.0.0'], 3, 'modelctl: model version nosuch@1.0.0 does not exist\n'],
      [
        ['promote', 'digits', '1.0.0', '--gate', 'accuracy=>0.9'],
        2,
        'modelctl: invalid --gate "accuracy=>0.9": expected <metric><op><number> with op one of >=, >, <=, < (e.g. accuracy>=0.9)\n',
      ],
      [
        ['abtest', 'start', 'digits', '1.0.0', '1.0.1', '--duration', '10s', '--split', '6000/5000'],
        2,
        'modelctl: invalid --split: weights must sum to exactly 10000 basis points\n',
      ],
      [
        ['abtest', 'start', 'digits', '1.0.0', '1.0.1', '--duration', 'soon'],
        2,
        `modelctl: invalid --duration: invalid duration "soon"; use milliseconds or e.g. '20s', '12h', '7d'\n`,
      ],
      [
        ['rollback', 'digits', '--to', '9.9.9', '--reason', 'x'],
        3,
        'modelctl: cannot roll digits back to 9.9.9: no such version\n',
      ],
      [['promote', 'Bad/Name', '1.0.0'], 2, 'modelctl: invalid <model>: must not contain path separators (/ or \\)\n'],
      [
        ['approve', 'nomodel'],
        3,
        'modelctl: no promotion of nomodel to approve: none was started (modelctl promote nomodel <version> --require-approval <timeout>)\n',
      ],
      [
        ['compare', 'digits@1.0.0', 'digits@1.0.1', '--metric', 'acuracy'],
        3,
        'modelctl: neither digits@1.0.0 nor digits@1.0.1 has metric acuracy; their metrics: accuracy, correct, logLoss\n',
      ],
      [
        ['abtest', 'start', 'digits', '1.0.0', '1.0.1', '--duration', '20'],
        2,
        "modelctl: invalid --duration: needs a unit, e.g. '20s', '12h', '7d' (a bare number would be milliseconds)\n",
      ],
      [
        ['abtest', 'start', 'digits', '1.0.0', '1.0.1', '--duration', '1h', '--split', '10000/0'],
        2,
        'modelctl: invalid --split: each arm needs traffic: control and treatment must each be at least 1 basis point\n',
      ],
      [
        ['abtest', 'start', 'digits', '1.0.0', '1.0.1', '--duration', '1h', '--sequential-tuning', '1'],
        2,
        'modelctl: invalid --sequential-tuning: Too small: expected number to be >=2\n',
      ],
      [
        ['abtest', 'start', 'digits', '1.0.0', '1.0.1', '--duration', '1h', '--sequential-tuning', '1e3'],
        2,
        'modelctl: invalid --sequential-tuning: must be a decimal integer such as 100 (no exponent, hex, spaces or empty)\n',
      ],
      [
        ['promote', 'digits', '1.0.0', '--lower-is-better', 'logLoss'],
        2,
        'modelctl: invalid --lower-is-better: logLoss is not in notWorseThanProduction; lowerIsBetter only says which way a not-worse gate compares (modelctl promote --not-worse <metric> --lower-is-better <metric>)\n',
      ],
    ];
    for (const [args, code, line] of cases) {
      const r = modelctl(args, { env });
      expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), code, line]);
    }
    expect((await store.events('digits')).length).toBe(before);
  });
});
