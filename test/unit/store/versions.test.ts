import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { BACKENDS, artifactRef, openTestStore } from '../../helpers/store';
import { expectModelctlError } from '../../helpers/errors';
import { AbTestInput } from '../../../src/domain/ab-test';
import { claimAbTestStart } from '../../../src/store/ab-test-runs';
import type { NewVersion } from '../../../src/store';

function newVersion(model: string, extra: Partial<NewVersion> = {}): NewVersion {
  return {
    model,
    artifact: artifactRef(`${model}-${extra.version ?? 'next'}`),
    config: {},
    metrics: {},
    git: null,
    gitReason: 'not a git repository',
    author: 'alice',
    ...extra,
  };
}

describe.each(BACKENDS)('model versions on %s', (backend) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  beforeEach(async () => {
    t = await openTestStore(backend);
  });
  afterEach(async () => {
    await t.dispose();
  });

  test('the first version of a new model is 1.0.0 and bumps apply to the highest existing version', async () => {
    const { store } = t;
    expect((await store.createVersion(newVersion('fraud'))).version).toBe('1.0.0');
    expect((await store.createVersion(newVersion('fraud'))).version).toBe('1.0.1');
    expect((await store.createVersion(newVersion('fraud', { bump: 'minor' }))).version).toBe('1.1.0');
    expect((await store.createVersion(newVersion('fraud', { bump: 'major' }))).version).toBe('2.0.0');
    expect((await store.createVersion(newVersion('fraud', { version: '1.9.0' }))).version).toBe('1.9.0');
    expect((await store.createVersion(newVersion('fraud', { version: '1.10.0' }))).version).toBe('1.10.0');
    expect((await store.createVersion(newVersion('fraud'))).version).toBe('2.0.1');
    expect((await store.listVersions('fraud')).map((v) => v.version)).toEqual([
      '1.0.0',
      '1.0.1',
      '1.1.0',
      '1.9.0',
      '1.10.0',
      '2.0.0',
      '2.0.1',
    ]);
  });

  test('prereleases sort by semver precedence and a patch bump of a prerelease releases it', async () => {
    const { store } = t;
    await store.createVersion(newVersion('m', { version: '2.0.0-rc.10' }));
    await store.createVersion(newVersion('m', { version: '2.0.0-rc.2' }));
    await store.createVersion(newVersion('m', { version: '1.5.0' }));
    expect((await store.listVersions('m')).map((v) => v.version)).toEqual(['1.5.0', '2.0.0-rc.2', '2.0.0-rc.10']);
    expect((await store.createVersion(newVersion('m'))).version).toBe('2.0.0');
  });

  test('a registered version keeps every field and starts in VALIDATION with a registration event', async () => {
    const { store, clock } = t;
    const git = {
      commit: 'a'.repeat(40),
      branch: 'main',
      dirty: true,
      diffSha256: 'b'.repeat(64),
      detached: false,
      remote: 'https://example.com/repo.git',
    };
    const experiment = await store.createExperiment({ name: 'train', type: 'TRAINING' });
    await store.createVersion(newVersion('fraud'));
    const v = await store.createVersion({
      ...newVersion('fraud'),
      parentVersion: '1.0.0',
      config: { lr: 0.01, layers: [64, 32], nested: { z: 1, a: 2 } },
      metrics: { accuracy: 0.95, auc: 0.981 },
      experimentId: experiment.id,
      git,
      gitReason: null,
      description: 'retrained on March data',
    });
    expect(v).toEqual({
      id: expect.any(String),
      model: 'fraud',
      version: '1.0.1',
      parentVersion: '1.0.0',
      status: 'VALIDATION',
      artifact: artifactRef('fraud-next'),
      config: { lr: 0.01, layers: [64, 32], nested: { z: 1, a: 2 } },
      metrics: { accuracy: 0.95, auc: 0.981 },
      experimentId: experiment.id,
      git,
      gitReason: null,
      author: 'alice',
      description: 'retrained on March data',
      createdAt: clock.iso(),
      updatedAt: clock.iso(),
      promotedAt: null,
      deprecatedAt: null,
    });
    expect(Object.keys(v.config.nested as object)).toEqual(['z', 'a']);
    expect(await store.getVersion('fraud', '1.0.1')).toEqual(v);
    expect((await store.getExperiment(experiment.id))?.linkedVersions).toEqual([{ model: 'fraud', version: '1.0.1' }]);
    const events = await store.events('fraud', '1.0.1');
    expect(events).toEqual([
      {
        id: expect.any(Number),
        model: 'fraud',
        version: '1.0.1',
        fromStatus: null,
        toStatus: 'VALIDATION',
        via: 'DIRECT',
        actor: 'alice',
        reason: 'registered',
        workflowId: null,
        approval: null,
        at: clock.iso(),
      },
    ]);
  });

  test('an explicit version that exists is ALREADY_EXISTS and writes nothing', async () => {
    const { store } = t;
    await store.createVersion(newVersion('fraud', { version: '1.2.0' }));
    await expectModelctlError(
      store.createVersion(newVersion('fraud', { version: '1.2.0' })),
      'ALREADY_EXISTS',
      'fraud@1.2.0 already exists',
    );
    expect((await store.listVersions('fraud')).length).toBe(1);
    expect((await store.events('fraud')).length).toBe(1);
  });

  test('bad names and versions are rejected naming the field and the rule, before anything is written', async () => {
    const { store } = t;
    await expectModelctlError(
      store.createVersion(newVersion('../etc')),
      'INVALID_INPUT',
      'model: must not contain path separators',
    );
    await expectModelctlError(store.createVersion(newVersion('a..b')), 'INVALID_INPUT', "model: must not contain '..'");
    await expectModelctlError(
      store.createVersion(newVersion('a:b')),
      'INVALID_INPUT',
      'model: must not contain colons',
    );
    await expectModelctlError(
      store.createVersion(newVersion(' fraud')),
      'INVALID_INPUT',
      'model: must not start or end with whitespace',
    );
    await expectModelctlError(store.createVersion(newVersion('Fraud')), 'INVALID_INPUT', /model: must match/);
    await expectModelctlError(
      store.createVersion(newVersion('fraud', { version: 'v1.0.0' })),
      'INVALID_INPUT',
      /version: must be a semantic version/,
    );
    await expectModelctlError(
      store.createVersion(newVersion('fraud', { bump: 'huge' as never })),
      'INVALID_INPUT',
      'bump: must be one of major, minor, patch',
    );
    expect(await store.listModels()).toEqual([]);
  });

  test('a parent version or experiment that does not exist is NOT_FOUND and writes nothing', async () => {
    const { store } = t;
    await expectModelctlError(
      store.createVersion(newVersion('fraud', { parentVersion: '0.9.0' })),
      'NOT_FOUND',
      'parentVersion fraud@0.9.0 does not exist',
    );
    await expectModelctlError(
      store.createVersion(newVersion('fraud', { experimentId: 'nope' })),
      'NOT_FOUND',
      'experimentId nope does not exist',
    );
    expect(await store.listVersions('fraud')).toEqual([]);
  });

  test('a retried registration with the same idempotency key returns the first version and writes once', async () => {
    const { store, clock } = t;
    const first = await store.createVersion(newVersion('fraud', { idempotencyKey: 'wf-1/activity-3' }));
    clock.advance(1000);
    const again = await store.createVersion(
      newVersion('fraud', { idempotencyKey: 'wf-1/activity-3', metrics: { accuracy: 0.5 } }),
    );
    expect(again).toEqual(first);
    expect((await store.listVersions('fraud')).map((v) => v.version)).toEqual(['1.0.0']);
    await expectModelctlError(
      store.transition({
        model: 'fraud',
        version: '1.0.0',
        to: 'FAILED',
        actor: 'bob',
        idempotencyKey: 'wf-1/activity-3',
      }),
      'CONFLICT',
      'already used for createVersion',
    );
    expect((await store.getVersion('fraud', '1.0.0'))?.status).toBe('VALIDATION');
  });
});

describe.each(BACKENDS)('lifecycle on %s', (backend) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  beforeEach(async () => {
    t = await openTestStore(backend);
    for (let i = 0; i < 4; i++) await t.store.createVersion(newVersion('fraud'));
  });
  afterEach(async () => {
    await t.dispose();
  });

  const promote = (version: string, workflowId = `promote-fraud-${version}`) =>
    t.store.swapProduction({
      model: 'fraud',
      version,
      via: 'PROMOTION',
      actor: 'ci',
      reason: 'better auc',
      workflowId,
    });

  test('an illegal transition is ILLEGAL_TRANSITION naming from, to and the allowed targets, and changes nothing', async () => {
    const { store } = t;
    const err = await expectModelctlError(
      store.transition({ model: 'fraud', version: '1.0.0', to: 'PRODUCTION', actor: 'bob' }),
      'ILLEGAL_TRANSITION',
      'cannot move fraud@1.0.0 from VALIDATION to PRODUCTION; allowed: PRODUCTION (via promotion), DEPRECATED, FAILED; VALIDATION → PRODUCTION is done by promotion',
    );
    expect(err.details).toEqual({
      from: 'VALIDATION',
      to: 'PRODUCTION',
      allowed: ['PRODUCTION', 'DEPRECATED', 'FAILED'],
    });
    await store.transition({ model: 'fraud', version: '1.0.1', to: 'FAILED', actor: 'bob', reason: 'diverged' });
    await expectModelctlError(
      store.transition({ model: 'fraud', version: '1.0.1', to: 'VALIDATION', actor: 'bob' }),
      'ILLEGAL_TRANSITION',
      'from FAILED to VALIDATION; allowed: none',
    );
    await expectModelctlError(
      store.swapProduction({ model: 'fraud', version: '1.0.1', via: 'ROLLBACK', actor: 'bob' }),
      'ILLEGAL_TRANSITION',
      'from FAILED to PRODUCTION',
    );
    expect((await store.listVersions('fraud')).map((v) => v.status)).toEqual([
      'VALIDATION',
      'FAILED',
      'VALIDATION',
      'VALIDATION',
    ]);
    await expectModelctlError(
      store.transition({ model: 'fraud', version: '9.9.9', to: 'FAILED', actor: 'bob' }),
      'NOT_FOUND',
      'fraud@9.9.9 does not exist',
    );
  });

  test('a TRAINING version moves to VALIDATION and then can be promoted', async () => {
    const { store } = t;
    await store.createVersion(newVersion('fraud', { status: 'TRAINING' }));
    const event = await store.transition({
      model: 'fraud',
      version: '1.0.4',
      to: 'VALIDATION',
      actor: 'trainer',
      reason: 'done',
      workflowId: 'train-1',
    });
    expect(event).toMatchObject({
      fromStatus: 'TRAINING',
      toStatus: 'VALIDATION',
      via: 'DIRECT',
      actor: 'trainer',
      reason: 'done',
      workflowId: 'train-1',
    });
    expect((await promote('1.0.4')).version).toBe('1.0.4');
  });

  test('promotion swaps production atomically, deprecating the old version, with events and timestamps', async () => {
    const { store, clock } = t;
    const t1 = clock.advance(60_000);
    const first = await promote('1.0.0');
    expect(first).toEqual({
      model: 'fraud',
      version: '1.0.0',
      previousVersion: null,
      events: [
        {
          id: expect.any(Number),
          model: 'fraud',
          version: '1.0.0',
          fromStatus: 'VALIDATION',
          toStatus: 'PRODUCTION',
          via: 'PROMOTION',
          actor: 'ci',
          reason: 'better auc',
          workflowId: 'promote-fraud-1.0.0',
          approval: null,
          at: t1,
        },
      ],
    });
    const t2 = clock.advance(60_000);
    const second = await promote('1.0.2');
    expect(second.previousVersion).toBe('1.0.0');
    expect(second.events.map((e) => [e.version, e.fromStatus, e.toStatus, e.via, e.at])).toEqual([
      // The deprecation records how production changed: by this promotion.
      ['1.0.0', 'PRODUCTION', 'DEPRECATED', 'PROMOTION', t2],
      ['1.0.2', 'VALIDATION', 'PRODUCTION', 'PROMOTION', t2],
    ]);
    const [v0, , v2] = await store.listVersions('fraud');
    expect(v0).toMatchObject({ status: 'DEPRECATED', promotedAt: t1, deprecatedAt: t2, updatedAt: t2 });
    expect(v2).toMatchObject({ status: 'PRODUCTION', promotedAt: t2, deprecatedAt: null });
    expect((await store.productionVersion('fraud'))?.version).toBe('1.0.2');
  });

  test('production at time T and the previous production version come from the events', async () => {
    const { store, clock } = t;
    const before = clock.iso();
    const t1 = clock.advance(1000);
    await promote('1.0.0');
    const t2 = clock.advance(1000);
    await promote('1.0.1');
    const t3 = clock.advance(1000);
    await promote('1.0.3');
    expect(await store.previousProductionVersion('fraud')).toBe('1.0.1');
    const t4 = clock.advance(1000);
    const rollback = await store.swapProduction({
      model: 'fraud',
      version: '1.0.1',
      via: 'ROLLBACK',
      actor: 'oncall',
      reason: 'latency regression',
      workflowId: 'rollback-fraud',
    });
    expect(rollback.previousVersion).toBe('1.0.3');
    expect(rollback.events[1]).toMatchObject({
      version: '1.0.1',
      fromStatus: 'DEPRECATED',
      toStatus: 'PRODUCTION',
      via: 'ROLLBACK',
      actor: 'oncall',
      reason: 'latency regression',
      workflowId: 'rollback-fraud',
      at: t4,
    });
    expect(await store.previousProductionVersion('fraud')).toBe('1.0.3');
    const t5 = clock.advance(1000);
    await store.transition({ model: 'fraud', version: '1.0.1', to: 'DEPRECATED', actor: 'oncall', reason: 'retired' });

    expect(await store.productionAt('fraud', before)).toBeNull();
    expect(await store.productionAt('fraud', t1)).toBe('1.0.0');
    expect(await store.productionAt('fraud', new Date(Date.parse(t2) - 1).toISOString())).toBe('1.0.0');
    expect(await store.productionAt('fraud', t2)).toBe('1.0.1');
    expect(await store.productionAt('fraud', t3)).toBe('1.0.3');
    expect(await store.productionAt('fraud', '2025-01-01T00:00:04.500+00:00')).toBe('1.0.1');
    expect(await store.productionAt('fraud', t5)).toBeNull();
    expect(await store.productionVersion('fraud')).toBeNull();
    expect(await store.previousProductionVersion('fraud')).toBe('1.0.1');
    await expectModelctlError(
      store.productionAt('fraud', 'yesterday'),
      'INVALID_INPUT',
      'invalid time query: at: must be an ISO 8601 timestamp',
    );
  });

  test('a rollback target must have been in production: a VALIDATION version cannot be rolled back to', async () => {
    await promote('1.0.0');
    await expectModelctlError(
      t.store.swapProduction({ model: 'fraud', version: '1.0.1', via: 'ROLLBACK', actor: 'oncall' }),
      'ILLEGAL_TRANSITION',
      'VALIDATION → PRODUCTION is done by promotion',
    );
    expect((await t.store.productionVersion('fraud'))?.version).toBe('1.0.0');
    expect((await t.store.getVersion('fraud', '1.0.1'))?.status).toBe('VALIDATION');
  });

  test('promoting the version already in production is refused and leaves it in production', async () => {
    await promote('1.0.0');
    await expectModelctlError(promote('1.0.0'), 'ILLEGAL_TRANSITION', 'from PRODUCTION to PRODUCTION');
    expect((await t.store.productionVersion('fraud'))?.version).toBe('1.0.0');
    expect((await t.store.events('fraud')).length).toBe(5);
  });

  test('a retried swap with the same idempotency key returns the first result without a second swap', async () => {
    const { store } = t;
    await promote('1.0.0');
    const request = {
      model: 'fraud',
      version: '1.0.1',
      via: 'PROMOTION' as const,
      actor: 'ci',
      workflowId: 'promote-fraud',
      idempotencyKey: 'promote-fraud/5',
    };
    const first = await store.swapProduction(request);
    const again = await store.swapProduction(request);
    expect(again).toEqual(first);
    expect((await store.events('fraud')).filter((e) => e.toStatus === 'PRODUCTION').length).toBe(2);
  });

  test('a swap expecting a production that moved meanwhile is refused naming the workflow that moved it, and changes nothing', async () => {
    const { store } = t;
    await promote('1.0.0');
    // A rollback chose 1.0.0's predecessor while 1.0.0 was live; a promotion swapped in 1.0.1 meanwhile.
    await promote('1.0.1', 'promote-fraud');
    const eventsBefore = await store.events('fraud');
    await expectModelctlError(
      store.swapProduction({
        model: 'fraud',
        version: '1.0.3',
        via: 'PROMOTION',
        actor: 'oncall',
        workflowId: 'rollback-fraud',
        expectedProduction: '1.0.0',
      }),
      'CONFLICT',
      'fraud@1.0.3 not put in production: production of fraud changed to 1.0.1 by workflow promote-fraud while workflow rollback-fraud ran (it expected 1.0.0); nothing changed, start it again to decide against the new production',
    );
    expect(await store.events('fraud')).toEqual(eventsBefore);
    expect((await store.productionVersion('fraud'))?.version).toBe('1.0.1');
    expect((await store.getVersion('fraud', '1.0.3'))?.status).toBe('VALIDATION');

    const swap = await store.swapProduction({
      model: 'fraud',
      version: '1.0.3',
      via: 'PROMOTION',
      actor: 'oncall',
      expectedProduction: '1.0.1',
    });
    expect(swap.previousVersion).toBe('1.0.1');
  });

  test('a swap expecting no production is refused once one is live', async () => {
    await promote('1.0.0', 'promote-fraud');
    await expectModelctlError(
      t.store.swapProduction({
        model: 'fraud',
        version: '1.0.1',
        via: 'PROMOTION',
        actor: 'ci',
        expectedProduction: null,
      }),
      'CONFLICT',
      'production of fraud changed to 1.0.0 by workflow promote-fraud while this change ran (it expected none)',
    );
    expect((await t.store.productionVersion('fraud'))?.version).toBe('1.0.0');
  });

  test('the database itself refuses a second PRODUCTION version of a model', async () => {
    await promote('1.0.0');
    // Not `rejects.toThrow`: better-sqlite3's native addon builds its errors in the realm of the first test file that
    // loaded it, so in later files they fail jest's `instanceof Error` check; the message is what matters here.
    const refusal = await t.location
      .rawExec("update model_versions set status = 'PRODUCTION' where model = 'fraud' and version = '1.0.1'")
      .then(
        () => 'no error',
        (err: unknown) => (err as { message?: string }).message,
      );
    expect(refusal).toMatch(
      /UNIQUE constraint failed: model_versions.model|duplicate key value violates unique constraint "model_versions_one_production"/,
    );
    await t.store.createVersion(newVersion('other'));
    await t.store.swapProduction({ model: 'other', version: '1.0.0', via: 'PROMOTION', actor: 'ci' });
    expect((await t.store.productionVersion('other'))?.version).toBe('1.0.0');
    expect((await t.store.productionVersion('fraud'))?.version).toBe('1.0.0');
  });

  test('deleting the production version or the rollback target is refused; other versions can be deleted', async () => {
    const { store } = t;
    await promote('1.0.0');
    await promote('1.0.1');
    await expectModelctlError(
      store.deleteVersion('fraud', '1.0.1'),
      'REFUSED',
      'cannot delete fraud@1.0.1: it is in PRODUCTION',
    );
    await expectModelctlError(
      store.deleteVersion('fraud', '1.0.0'),
      'REFUSED',
      'cannot delete fraud@1.0.0: it is the rollback target',
    );
    await store.deleteVersion('fraud', '1.0.2');
    expect((await store.listVersions('fraud')).map((v) => v.version)).toEqual(['1.0.0', '1.0.1', '1.0.3']);
    expect((await store.events('fraud', '1.0.2')).length).toBe(1);
    await expectModelctlError(store.deleteVersion('fraud', '1.0.2'), 'NOT_FOUND');
    // Once another promotion moves the rollback target on, the old one may go.
    await promote('1.0.3');
    await store.deleteVersion('fraud', '1.0.0');
    expect(await store.previousProductionVersion('fraud')).toBe('1.0.1');
  });

  test('a version that is part of a running A/B test cannot be deleted; once the test ended it can', async () => {
    const { store } = t;
    const definition = AbTestInput.parse({
      id: 'ab-del',
      model: 'fraud',
      control: '1.0.0',
      treatment: '1.0.2',
      duration: '7d',
    });
    await claimAbTestStart(store, { id: 'ab-del', definition, workflowId: 'abtest-ab-del', startedAt: t.clock.iso() });
    for (const version of ['1.0.0', '1.0.2'])
      await expectModelctlError(
        store.deleteVersion('fraud', version),
        'REFUSED',
        `cannot delete fraud@${version}: it is part of A/B test ab-del, which is RUNNING; stop or abort the test first`,
      );
    expect((await store.listVersions('fraud')).map((v) => v.version)).toEqual(['1.0.0', '1.0.1', '1.0.2', '1.0.3']);
    await store.updateAbTest('ab-del', { status: 'ABORTED', endedAt: t.clock.iso() });
    await store.deleteVersion('fraud', '1.0.2');
    expect((await store.listVersions('fraud')).map((v) => v.version)).toEqual(['1.0.0', '1.0.1', '1.0.3']);
  });
});

describe('a deletion and the start of an A/B test of the same version on PostgreSQL', () => {
  const split = { control: 5000, treatment: 5000 };
  test('the start waits while a deletion holds the model, then finds the version gone and records nothing', async () => {
    const t = await openTestStore('postgres');
    const deleting = new pg.Client({ connectionString: (t.location.config as { databaseUrl: string }).databaseUrl });
    try {
      for (const seed of ['a', 'b']) await t.store.createVersion(newVersion('race', { artifact: artifactRef(seed) }));
      await deleting.connect();
      // What deleteVersion does in its transaction, held open: the model's lock, then the version's row removed.
      await deleting.query('begin');
      await deleting.query("select name from models where name = 'race' for update");
      let settled = false;
      const start = t.store
        .createAbTest({ id: 'race-ab', name: 'race-ab', model: 'race', control: '1.0.0', treatment: '1.0.1', split })
        .finally(() => (settled = true));
      await sleep(500);
      expect(settled).toBe(false);
      await deleting.query("delete from model_versions where model = 'race' and version = '1.0.1'");
      await deleting.query('commit');
      await expectModelctlError(start, 'NOT_FOUND', 'model version race@1.0.1 does not exist');
      expect(await t.store.listAbTests('race')).toEqual([]);
    } finally {
      await deleting.end();
      await t.dispose();
    }
  });
});

describe.each(BACKENDS)('pages of a long history on %s', (backend) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  beforeAll(async () => {
    t = await openTestStore(backend);
    // 12 versions in semver order unlike text order (1.10.0 after 1.9.0); 1.0.0 … 1.10.0 promoted in turn, then
    // two rollbacks: 11 + 2 production stints, 12 + 21 + 4 = 37 events.
    for (let i = 0; i < 12; i++) await t.store.createVersion(newVersion('long', { version: `1.${i}.0` }));
    for (let i = 0; i < 11; i++)
      await t.store.swapProduction({ model: 'long', version: `1.${i}.0`, via: 'PROMOTION', actor: 'bot' });
    await t.store.swapProduction({ model: 'long', version: '1.9.0', via: 'ROLLBACK', actor: 'oncall' });
    await t.store.swapProduction({ model: 'long', version: '1.10.0', via: 'ROLLBACK', actor: 'oncall' });
  });
  afterAll(async () => {
    await t.dispose();
  });

  test('versionsPage walks the versions in semver order, a page at a time, as listVersions has them', async () => {
    const all = await t.store.listVersions('long');
    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await t.store.versionsPage('long', { ...(after !== undefined ? { after } : {}), limit: 5 });
      pages.push(page.items.map((v) => v.version));
      if (!page.more) break;
      after = page.items.at(-1)!.version;
    }
    expect(pages).toEqual([
      ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0'],
      ['1.5.0', '1.6.0', '1.7.0', '1.8.0', '1.9.0'],
      ['1.10.0', '1.11.0'],
    ]);
    expect((await t.store.versionsPage('long', { after: '1.9.0', limit: 1 })).items).toEqual([all[10]]);
    expect(await t.store.versionsPage('long', { after: '9.9.9', limit: 5 })).toEqual({ items: [], more: false });
    expect(await t.store.versionsPage('nope', { limit: 5 })).toEqual({ items: [], more: false });
  });

  test('eventsPage walks the events oldest first, as events() has them; an unknown id gives an empty page', async () => {
    const all = await t.store.events('long');
    expect(all).toHaveLength(37);
    const walked = [];
    let afterId: number | undefined;
    for (;;) {
      const page = await t.store.eventsPage('long', { ...(afterId !== undefined ? { afterId } : {}), limit: 10 });
      walked.push(page.items);
      if (!page.more) break;
      afterId = page.items.at(-1)!.id;
    }
    expect(walked.map((p) => p.length)).toEqual([10, 10, 10, 7]);
    expect(walked.flat()).toEqual(all);
    expect(await t.store.eventsPage('long', { afterId: 999_999, limit: 10 })).toEqual({ items: [], more: false });
  });

  test('productionMoves gives the events of the last N stints and the count of all of them', async () => {
    const recent = await t.store.productionMoves('long', 3);
    expect(recent.entries).toBe(13);
    expect(recent.events.map((e) => [e.version, e.fromStatus, e.toStatus, e.via])).toEqual([
      ['1.10.0', 'VALIDATION', 'PRODUCTION', 'PROMOTION'],
      ['1.10.0', 'PRODUCTION', 'DEPRECATED', 'ROLLBACK'],
      ['1.9.0', 'DEPRECATED', 'PRODUCTION', 'ROLLBACK'],
      ['1.9.0', 'PRODUCTION', 'DEPRECATED', 'ROLLBACK'],
      ['1.10.0', 'DEPRECATED', 'PRODUCTION', 'ROLLBACK'],
    ]);
    const every = await t.store.productionMoves('long', 100);
    const moves = (await t.store.events('long')).filter(
      (e) => e.toStatus === 'PRODUCTION' || e.fromStatus === 'PRODUCTION',
    );
    expect(every).toEqual({ events: moves, entries: 13 });
  });

  test('latestMoves gives the last event and the latest entry into PRODUCTION with the exits after it', async () => {
    const all = await t.store.events('long');
    const latest = await t.store.latestMoves('long');
    expect(latest.last).toEqual(all.at(-1));
    expect(latest.sinceLastEntry.map((e) => [e.version, e.fromStatus, e.toStatus, e.via])).toEqual([
      ['1.10.0', 'DEPRECATED', 'PRODUCTION', 'ROLLBACK'],
    ]);
    const moves = (await t.store.productionMoves('long', 1)).events;
    expect(latest.sinceLastEntry).toEqual(moves);
    expect(await t.store.latestMoves('nope')).toEqual({ last: null, sinceLastEntry: [] });
    // Retired from PRODUCTION without a successor: the entry and its exit, and the overview shows no current stint.
    await t.store.createVersion(newVersion('retired', { version: '1.0.0' }));
    await t.store.swapProduction({ model: 'retired', version: '1.0.0', via: 'PROMOTION', actor: 'bot' });
    await t.store.transition({ model: 'retired', version: '1.0.0', to: 'DEPRECATED', actor: 'ops', reason: 'sunset' });
    const retired = await t.store.latestMoves('retired');
    expect(retired.sinceLastEntry.map((e) => [e.version, e.fromStatus, e.toStatus, e.actor])).toEqual([
      ['1.0.0', 'VALIDATION', 'PRODUCTION', 'bot'],
      ['1.0.0', 'PRODUCTION', 'DEPRECATED', 'ops'],
    ]);
    expect(retired.last).toEqual((await t.store.events('retired')).at(-1));
    expect(retired.last?.reason).toBe('sunset');
  });
});
