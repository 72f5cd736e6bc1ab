import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryStore } from '../../src/store/registry-store';
import type { GuardState } from '../../src/domain/guard';
import { buildCli, embeddedCliEnv, modelctl, okJson as ok } from '../helpers/cli';
import { CLI_MODES, startEmbeddedCliSuite, type EmbeddedCliSuite } from '../helpers/cli-modes';

describe.each(CLI_MODES)('modelctl guard and promote --guard on the embedded dev server (%s mode)', (mode) => {
  let home: string;
  let suite: EmbeddedCliSuite;
  let env: NodeJS.ProcessEnv;
  let store: RegistryStore;
  const cli = (...args: string[]) => modelctl(args, { env });
  const policy = {
    metrics: [{ metric: 'error', check: 'relative', direction: 'lower_is_better' }],
    checkInterval: '5m',
    bakeTime: '1h',
  };

  beforeAll(async () => {
    buildCli();
    home = mkdtempSync(join(tmpdir(), 'modelctl-guard-'));
    const local = await embeddedCliEnv(home);
    writeFileSync(join(home, 'v1.bin'), 'weights v1');
    writeFileSync(join(home, 'v2.bin'), 'weights v2');
    writeFileSync(join(home, 'policy.json'), JSON.stringify(policy));
    writeFileSync(join(home, 'bad.json'), JSON.stringify({ ...policy, alpha: 0.5 }));
    suite = await startEmbeddedCliSuite(mode, local);
    ({ store } = suite);
    env = suite.session.env;
  });
  afterAll(() => suite?.close());

  test('a bad policy is refused before the promotion starts; a good one guards the promoted version, which pauses, resumes and stops', async () => {
    ok(cli('register', 'ranker', join(home, 'v1.bin'), '--json'));
    ok(cli('register', 'ranker', join(home, 'v2.bin'), '--json'));
    ok(cli('promote', 'ranker', '1.0.0', '--json'));

    const refused = cli('promote', 'ranker', '1.0.1', '--guard', `@${join(home, 'bad.json')}`);
    expect([refused.status, refused.stderr]).toEqual([
      2,
      'modelctl: invalid --guard: alpha: must be in [0.001, 0.2]\n',
    ]);
    expect((await store.getVersion('ranker', '1.0.1'))?.status).toBe('VALIDATION');

    const promoted = ok<{ outcome: string; guard: GuardState }>(
      cli('promote', 'ranker', '1.0.1', '--guard', `@${join(home, 'policy.json')}`, '--json'),
    );
    expect(promoted.outcome).toBe('PROMOTED');
    expect([promoted.guard.model, promoted.guard.version, promoted.guard.status, promoted.guard.action]).toEqual([
      'ranker',
      '1.0.1',
      'WATCHING',
      'rollback',
    ]);
    const status = cli('guard', 'status', 'ranker');
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(
      /^guard guard-ranker-1\.0\.1-[0-9a-f]{8} of ranker@1\.0\.1: WATCHING \(baseline 1\.0\.0, action rollback\)\n/,
    );

    expect(ok<GuardState>(cli('guard', 'pause', 'ranker', '--reason', 'deploy', '--json')).status).toBe('PAUSED');
    const again = cli('guard', 'pause', 'ranker');
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/^modelctl: .*is already paused\n$/);
    expect(ok<GuardState>(cli('guard', 'resume', 'ranker', '--json')).status).toBe('WATCHING');
    ok(cli('guard', 'stop', 'ranker', '--reason', 'done', '--json'));
    for (let i = 0; i < 100 && (await store.listGuards('ranker'))[0]?.status !== 'STOPPED'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await store.listGuards('ranker')).map((g) => g.status)).toEqual(['STOPPED']);
  });

  test('guard policy set validates and stores the default; guard start uses it on the production version', async () => {
    const bad = cli('guard', 'policy', 'set', 'ranker', `@${join(home, 'bad.json')}`);
    expect([bad.status, bad.stderr]).toEqual([2, 'modelctl: invalid guard policy: alpha: must be in [0.001, 0.2]\n']);
    const none = cli('guard', 'policy', 'show', 'ranker');
    expect([none.status, none.stderr]).toEqual([
      3,
      'modelctl: no guard policy for ranker: set one with modelctl guard policy set ranker @policy.json\n',
    ]);
    ok(cli('guard', 'policy', 'set', 'ranker', `@${join(home, 'policy.json')}`, '--json'));
    expect(ok<{ policy: unknown; actor: string }>(cli('guard', 'policy', 'show', 'ranker', '--json'))).toMatchObject({
      policy,
      actor: 'ci',
    });
    const started = ok<GuardState>(cli('guard', 'start', 'ranker', '--json'));
    expect([started.version, started.status]).toEqual(['1.0.1', 'WATCHING']);
    ok(cli('guard', 'stop', 'ranker', '--json'));
  });
});
