import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalArtifactStore } from '../../../src/artifacts';
import { ModelRegistry } from '../../../src/client';
import { loadConfig } from '../../../src/config';
import { openStore } from '../../../src/store';
import { BACKENDS, freshLocation, testClock, type TestRegistryLocation } from '../../helpers/store';
import { expectModelctlError } from '../../helpers/errors';
import { makeTempRepo, type TempRepo } from '../../helpers/git-repo';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe.each(BACKENDS)('ModelRegistry on %s', (backend) => {
  let location: TestRegistryLocation;
  let work: string;
  let registry: ModelRegistry;
  let artifacts: LocalArtifactStore;
  let repo: TempRepo;
  let commit: string;
  const clock = testClock('2025-03-01T09:00:00.000Z');

  beforeEach(async () => {
    location = await freshLocation(backend);
    work = mkdtempSync(join(tmpdir(), 'modelctl-registry-'));
    artifacts = new LocalArtifactStore(join(work, 'artifacts'));
    repo = await makeTempRepo();
    commit = await repo.commit('train.py', 'print("train")\n');
    const store = await openStore({ ...location.config, now: clock.now });
    registry = new ModelRegistry({ store, artifacts, now: clock.now });
  });
  afterEach(async () => {
    await registry.close();
    await location.dispose();
    rmSync(work, { recursive: true, force: true });
    await repo.cleanup();
  });

  function artifactFile(name: string, content: string): string {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  }

  test('registerVersion stores the artifact by sha256, records git and returns the version', async () => {
    const path = artifactFile('model.bin', 'weights-v1');
    const v = await registry.registerVersion({
      model: 'fraud',
      artifactPath: path,
      author: 'alice',
      metrics: { auc: 0.9 },
      config: { lr: 0.1 },
      gitDir: repo.dir,
    });
    expect(v).toMatchObject({
      model: 'fraud',
      version: '1.0.0',
      status: 'VALIDATION',
      metrics: { auc: 0.9 },
      config: { lr: 0.1 },
      author: 'alice',
      artifact: { sha256: sha256('weights-v1'), sizeBytes: 10, mediaType: 'application/octet-stream' },
      git: { commit, branch: 'main', dirty: false, detached: false, diffSha256: null, remote: null },
      gitReason: null,
    });
    expect(await artifacts.verify(v.artifact)).toMatchObject({ ok: true });
    expect(await registry.getVersion('fraud', '1.0.0')).toEqual(v);
    const second = await registry.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('m2.bin', 'weights-v2'),
      author: 'alice',
      bump: 'minor',
      parentVersion: '1.0.0',
      gitDir: work,
    });
    expect(second).toMatchObject({ version: '1.1.0', parentVersion: '1.0.0', git: null });
    expect(second.gitReason).toMatch(/not .*git/i);
  });

  test('a directory artifact is stored as one tar object', async () => {
    const dir = join(work, 'saved-model');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), '{}');
    writeFileSync(join(dir, 'weights.bin'), 'w');
    const v = await registry.registerVersion({ model: 'fraud', artifactPath: dir, author: 'alice', gitDir: repo.dir });
    expect(v.artifact.mediaType).toBe('application/x-tar');
    expect(await artifacts.exists(v.artifact)).toBe(true);
  });

  test('a declared checksum that does not match, or a missing path, registers nothing', async () => {
    const path = artifactFile('model.bin', 'weights');
    await expectModelctlError(
      registry.registerVersion({
        model: 'fraud',
        artifactPath: path,
        author: 'alice',
        expectedSha256: 'a'.repeat(64),
        gitDir: repo.dir,
      }),
      'CHECKSUM_MISMATCH',
      `expected sha256 ${'a'.repeat(64)}, actual ${sha256('weights')}`,
    );
    await expectModelctlError(
      registry.registerVersion({
        model: 'fraud',
        artifactPath: join(work, 'nope.bin'),
        author: 'alice',
        gitDir: repo.dir,
      }),
      'ARTIFACT_MISSING',
    );
    await expectModelctlError(
      registry.registerVersion({ model: 'Fraud', artifactPath: path, author: 'alice' }),
      'INVALID_INPUT',
      /model: must match/,
    );
    expect(await registry.listVersions('fraud')).toEqual([]);
    expect((await registry.exportReport()).models).toEqual([]);
  });

  test('an explicit version that exists is refused before the artifact is streamed', async () => {
    await registry.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('a.bin', 'a'),
      author: 'alice',
      version: '2.0.0',
      gitDir: repo.dir,
    });
    const other = artifactFile('b.bin', 'b');
    await expectModelctlError(
      registry.registerVersion({
        model: 'fraud',
        artifactPath: other,
        author: 'alice',
        version: '2.0.0',
        gitDir: repo.dir,
      }),
      'ALREADY_EXISTS',
      'fraud@2.0.0 already exists',
    );
    const digest = sha256('b');
    expect(existsSync(join(work, 'artifacts', 'sha256', digest.slice(0, 2), digest))).toBe(false);
    expect(existsSync(join(work, 'artifacts', 'sha256', sha256('a').slice(0, 2), sha256('a')))).toBe(true);
  });

  test('a git capture that throws is recorded as the reason and does not block registration', async () => {
    const failing = new ModelRegistry({
      store: registry.store,
      artifacts,
      captureGit: async () => {
        throw new Error('git binary not found');
      },
    });
    const v = await failing.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('a.bin', 'a'),
      author: 'alice',
    });
    expect(v).toMatchObject({ version: '1.0.0', git: null, gitReason: 'git capture failed: git binary not found' });
  });

  test('latestStable skips prereleases; a model of prereleases only is NOT_FOUND naming them', async () => {
    const register = (version: string) =>
      registry.registerVersion({
        model: 'fraud',
        version,
        artifactPath: artifactFile(`${version}.bin`, version),
        author: 'a',
        gitDir: repo.dir,
      });
    await register('1.3.0-rc.1');
    await expectModelctlError(
      registry.latestStable('fraud'),
      'NOT_FOUND',
      'model fraud has no stable (non-prerelease) version; its versions: 1.3.0-rc.1',
    );
    await register('1.2.0');
    await register('1.10.0-beta');
    await register('1.1.5');
    expect((await registry.latestStable('fraud')).version).toBe('1.2.0');
    // A bump applies to the highest version, prerelease or not: patch of 1.10.0-beta is 1.10.0.
    const bumped = await registry.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('next.bin', 'next'),
      author: 'a',
      gitDir: repo.dir,
    });
    expect(bumped.version).toBe('1.10.0');
    expect((await registry.latestStable('fraud')).version).toBe('1.10.0');
    await expectModelctlError(registry.latestStable('nope'), 'NOT_FOUND', 'model nope has no versions');
  });

  test('compareVersions gives side-by-side metrics with absolute and relative differences', async () => {
    await registry.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('a.bin', 'a'),
      author: 'a',
      metrics: { auc: 0.8, loss: 0.5, zero: 0 },
      gitDir: repo.dir,
    });
    await registry.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('b.bin', 'b'),
      author: 'a',
      metrics: { auc: 0.9, loss: 0.4, zero: 1, f1: 0.7 },
      gitDir: repo.dir,
    });
    const cmp = await registry.compareVersions(
      { model: 'fraud', version: '1.0.0' },
      { model: 'fraud', version: '1.0.1' },
    );
    expect(cmp.a).toEqual({ model: 'fraud', version: '1.0.0', status: 'VALIDATION' });
    expect(cmp.metrics.map((m) => m.name)).toEqual(['auc', 'f1', 'loss', 'zero']);
    expect(cmp.metrics[0]!.absoluteDifference).toBeCloseTo(0.1, 12);
    expect(cmp.metrics[0]!.relativeDifference).toBeCloseTo(0.125, 12);
    expect(cmp.metrics[1]).toEqual({ name: 'f1', a: null, b: 0.7, absoluteDifference: null, relativeDifference: null });
    expect(cmp.metrics[2]!.relativeDifference).toBeCloseTo(-0.2, 12);
    expect(cmp.metrics[3]).toEqual({ name: 'zero', a: 0, b: 1, absoluteDifference: 1, relativeDifference: null });
    const only = await registry.compareVersions(
      { model: 'fraud', version: '1.0.1' },
      { model: 'fraud', version: '1.0.0' },
      ['loss'],
    );
    expect(only.metrics.map((m) => [m.name, m.a, m.b])).toEqual([['loss', 0.4, 0.5]]);
    // A metric one version has still compares (with a blank); one neither has is refused, naming what they have.
    expect(
      (
        await registry.compareVersions({ model: 'fraud', version: '1.0.0' }, { model: 'fraud', version: '1.0.1' }, [
          'f1',
        ])
      ).metrics,
    ).toHaveLength(1);
    await expectModelctlError(
      registry.compareVersions({ model: 'fraud', version: '1.0.0' }, { model: 'fraud', version: '1.0.1' }, [
        'loss',
        'acuracy',
      ]),
      'NOT_FOUND',
      'neither fraud@1.0.0 nor fraud@1.0.1 has metric acuracy; their metrics: auc, f1, loss, zero',
    );
    await expectModelctlError(
      registry.compareVersions({ model: 'fraud', version: '1.0.0' }, { model: 'fraud', version: '3.0.0' }),
      'NOT_FOUND',
      'fraud@3.0.0 does not exist',
    );
    await expectModelctlError(
      registry.compareVersions({ model: 'fraud', version: '1.0' }, { model: 'fraud', version: '1.0.0' }),
      'INVALID_INPUT',
      /version a: version: must be a semantic version/,
    );
  });

  test('history lists every version with its status timeline; the report carries the same and round-trips as JSON', async () => {
    await registry.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('a.bin', 'a'),
      author: 'alice',
      gitDir: repo.dir,
    });
    await registry.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('b.bin', 'b'),
      author: 'alice',
      gitDir: repo.dir,
    });
    const t1 = clock.advance(1000);
    await registry.store.swapProduction({
      model: 'fraud',
      version: '1.0.0',
      via: 'PROMOTION',
      actor: 'ci',
      workflowId: 'promote-fraud',
    });
    const t2 = clock.advance(1000);
    await registry.store.swapProduction({
      model: 'fraud',
      version: '1.0.1',
      via: 'PROMOTION',
      actor: 'ci',
      reason: 'auc +2%',
      workflowId: 'promote-fraud',
    });
    const h = await registry.history('fraud');
    expect(h.productionVersion).toBe('1.0.1');
    expect(h.previousProductionVersion).toBe('1.0.0');
    expect(
      h.versions.map((v) => [
        v.version,
        v.status,
        v.timeline.map((e) => `${e.fromStatus ?? '∅'}→${e.toStatus}@${e.at}`),
      ]),
    ).toEqual([
      [
        '1.0.0',
        'DEPRECATED',
        [`∅→VALIDATION@${'2025-03-01T09:00:00.000Z'}`, `VALIDATION→PRODUCTION@${t1}`, `PRODUCTION→DEPRECATED@${t2}`],
      ],
      ['1.0.1', 'PRODUCTION', [`∅→VALIDATION@${'2025-03-01T09:00:00.000Z'}`, `VALIDATION→PRODUCTION@${t2}`]],
    ]);
    expect(h.versions[1]!.timeline[1]).toEqual({
      fromStatus: 'VALIDATION',
      toStatus: 'PRODUCTION',
      via: 'PROMOTION',
      actor: 'ci',
      reason: 'auc +2%',
      workflowId: 'promote-fraud',
      approval: null,
      at: t2,
    });
    await expectModelctlError(registry.history('unknown'), 'NOT_FOUND', 'model unknown has no versions');

    const exp = await registry.trackExperiment({ id: 'exp-1', name: 'baseline', type: 'TRAINING' });
    const report = await registry.exportReport();
    expect(report.schemaVersion).toBe(1);
    expect(report.generatedAt).toBe(clock.iso());
    expect(report.models).toEqual([h]);
    expect(report.experiments).toEqual([exp]);
    expect(report.abTests).toEqual([]);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  test('experiments: track, log metrics, end, and read results with bounded series', async () => {
    const e = await registry.trackExperiment({
      name: 'sweep-1',
      type: 'HYPERPARAMETER_SWEEP',
      config: { grid: [1, 2] },
      externalIds: { wandb: 'abc123' },
    });
    await registry.logMetrics(
      e.id,
      Array.from({ length: 1000 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), step })),
    );
    await registry.logMetrics(e.id, [{ key: 'acc', value: 0.9, step: 999 }]);
    const ended = clock.advance(120_000);
    await registry.updateExperiment(e.id, { status: 'COMPLETED' });
    const results = await registry.getExperimentResults(e.id, { maxPoints: 50 });
    expect(results.experiment).toMatchObject({
      status: 'COMPLETED',
      endedAt: ended,
      durationSeconds: 120,
      summary: { loss: 0.001, acc: 0.9 },
      externalIds: { wandb: 'abc123' },
    });
    expect(Object.keys(results.series)).toEqual(['acc', 'loss']);
    expect(results.series.loss!.length).toBe(50);
    expect(results.series.loss![0]!.step).toBe(0);
    expect(results.series.loss![49]!.step).toBe(999);
    await expectModelctlError(registry.getExperimentResults('nope'), 'NOT_FOUND', 'experiment nope does not exist');
  });

  test('production answers now and at a past time from the events; an unknown model is NOT_FOUND', async () => {
    await registry.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('a.bin', 'a'),
      author: 'alice',
      gitDir: work,
    });
    const before = clock.advance(60_000);
    expect(await registry.production('fraud')).toEqual({
      model: 'fraud',
      at: null,
      version: null,
      modelVersion: null,
      since: null,
    });
    const promotedAt = clock.advance(60_000);
    await registry.store.swapProduction({ model: 'fraud', version: '1.0.0', via: 'PROMOTION', actor: 'carol' });
    const current = await registry.getVersion('fraud', '1.0.0');
    expect(current).toMatchObject({ status: 'PRODUCTION', promotedAt });
    expect(await registry.production('fraud')).toEqual({
      model: 'fraud',
      at: null,
      version: '1.0.0',
      modelVersion: current,
      since: promotedAt,
    });
    expect(await registry.production('fraud', before)).toEqual({
      model: 'fraud',
      at: before,
      version: null,
      modelVersion: null,
      since: null,
    });
    expect(await registry.production('fraud', promotedAt.replace('Z', '+00:00'))).toEqual({
      model: 'fraud',
      at: promotedAt,
      version: '1.0.0',
      modelVersion: current,
      since: promotedAt,
    });
    // A second stint (1.0.1 in between, then back to 1.0.0): a past time reports the stint that covered it.
    await registry.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('b.bin', 'b'),
      author: 'alice',
      gitDir: work,
    });
    clock.advance(60_000);
    await registry.store.swapProduction({ model: 'fraud', version: '1.0.1', via: 'PROMOTION', actor: 'carol' });
    const back = clock.advance(60_000);
    await registry.store.swapProduction({ model: 'fraud', version: '1.0.0', via: 'ROLLBACK', actor: 'carol' });
    expect(await registry.production('fraud', promotedAt)).toMatchObject({
      version: '1.0.0',
      since: promotedAt,
      modelVersion: { promotedAt: back },
    });
    expect(await registry.production('fraud')).toMatchObject({ version: '1.0.0', since: back });
    await expectModelctlError(registry.production('nope'), 'NOT_FOUND', 'model nope has no versions');
    await expectModelctlError(registry.production('fraud', 'yesterday'), 'INVALID_INPUT', /^invalid time: /);
    await expectModelctlError(registry.requireModel('nope'), 'NOT_FOUND', 'model nope has no versions');
  });

  test('linkVersion links an existing version once, however often it is called; unknown experiment or version is NOT_FOUND', async () => {
    await registry.registerVersion({
      model: 'fraud',
      artifactPath: artifactFile('a.bin', 'a'),
      author: 'alice',
      gitDir: work,
    });
    const e = await registry.trackExperiment({ name: 'train', type: 'TRAINING' });
    expect((await registry.linkVersion(e.id, { model: 'fraud', version: '1.0.0' })).linkedVersions).toEqual([
      { model: 'fraud', version: '1.0.0' },
    ]);
    expect((await registry.linkVersion(e.id, { model: 'fraud', version: '1.0.0' })).linkedVersions).toEqual([
      { model: 'fraud', version: '1.0.0' },
    ]);
    await expectModelctlError(registry.linkVersion(e.id, { model: 'fraud', version: '9.0.0' }), 'NOT_FOUND');
    await expectModelctlError(registry.linkVersion('nope', { model: 'fraud', version: '1.0.0' }), 'NOT_FOUND');
    await expectModelctlError(
      registry.linkVersion(e.id, { model: 'fraud', version: 'v1' }),
      'INVALID_INPUT',
      /^invalid version: version: /,
    );
  });
});

describe.each(BACKENDS)('ModelRegistry.open from the environment on %s', (backend) => {
  test('opens the configured store and artifact directory; a second open sees the same registry', async () => {
    const location = await freshLocation(backend);
    const home = mkdtempSync(join(tmpdir(), 'modelctl-home-'));
    const env = {
      MODELCTL_HOME: home,
      ...(location.config.databaseUrl !== undefined ? { DATABASE_URL: location.config.databaseUrl } : {}),
    };
    try {
      const config = loadConfig(env);
      const path = join(home, 'model.bin');
      writeFileSync(path, 'bytes');
      const first = await ModelRegistry.open({ config });
      const v = await first.registerVersion({ model: 'm', artifactPath: path, author: 'a', gitDir: home });
      await first.close();
      expect(v.artifact.uri.startsWith(`file://${home}/artifacts/`)).toBe(true);
      expect(readFileSync(new URL(v.artifact.uri)).toString()).toBe('bytes');
      const second = await ModelRegistry.open({ config });
      expect((await second.listVersions('m')).map((x) => x.version)).toEqual(['1.0.0']);
      await second.close();
    } finally {
      await location.dispose();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('configuration of the artifact store', () => {
  test('ARTIFACT_STORE takes a directory path (made absolute, as a file:// URL), file:/// and gs:// URLs; other schemes are refused', async () => {
    const home = mkdtempSync(join(tmpdir(), 'modelctl-home-'));
    try {
      expect(loadConfig({ MODELCTL_HOME: home, ARTIFACT_STORE: '/srv/models' }).artifactStore).toBe(
        'file:///srv/models',
      );
      expect(loadConfig({ MODELCTL_HOME: home, ARTIFACT_STORE: 'rel/dir' }).artifactStore).toBe(
        pathToFileURL(resolve('rel/dir')).href,
      );
      expect(loadConfig({ MODELCTL_HOME: home, ARTIFACT_STORE: 'file:///srv/models' }).artifactStore).toBe(
        'file:///srv/models',
      );
      expect(loadConfig({ MODELCTL_HOME: home, ARTIFACT_STORE: 'gs://bucket/prefix' }).artifactStore).toBe(
        'gs://bucket/prefix',
      );
      expect(loadConfig({ MODELCTL_HOME: home }).artifactStore).toBe(pathToFileURL(join(home, 'artifacts')).href);
      expect(() => loadConfig({ MODELCTL_HOME: home, ARTIFACT_STORE: 's3://bucket/x' })).toThrow(
        'invalid environment: ARTIFACT_STORE: must be a directory path, file:///absolute/path or gs://bucket[/prefix]',
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
