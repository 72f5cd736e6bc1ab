import { AbTestSchedules } from '../../src/client/ab-test-schedules';
import { WORKFLOWS_PATH } from '../../src/worker/registry-worker';
import { createDevServerHarness, type TemporalHarness } from '../helpers/temporal';
import { rejection } from '../helpers/workflow-suite';

describe('A/B test schedules on a dev server', () => {
  let h: TemporalHarness;
  let schedules: AbTestSchedules;
  beforeAll(async () => {
    h = await createDevServerHarness({ workflowsPath: WORKFLOWS_PATH });
    schedules = new AbTestSchedules(h.client, h.taskQueue);
  });
  afterAll(() => h?.teardown());

  const test_ = {
    model: 'digits',
    control: '1.0.0',
    treatment: '1.1.0',
    duration: '7d' as const,
    metric: { name: 'correct', kind: 'binary' as const, higherIsBetter: true },
  };

  test('create every Monday 09:00 UTC, list, pause, unpause and delete; one schedule per pair, overlaps skipped', async () => {
    const id = await schedules.create({ cron: '0 9 * * MON', test: test_, note: 'weekly' });
    expect(id).toBe('abtest-digits-1.0.0-vs-1.1.0');

    // The list comes from the visibility store, which catches up within moments.
    let listed = await schedules.list();
    for (let i = 0; i < 50 && listed.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      listed = await schedules.list();
    }
    expect(listed.map((s) => [s.scheduleId, s.paused])).toEqual([[id, false]]);
    const next = listed[0]!.nextActionTimes.map((t) => new Date(t));
    expect(next.length).toBeGreaterThan(0);
    for (const t of next) expect([t.getUTCDay(), t.getUTCHours(), t.getUTCMinutes()]).toEqual([1, 9, 0]);

    const description = await h.client.schedule.getHandle(id).describe();
    expect(description.policies.overlap).toBe('SKIP');
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'abTest', taskQueue: h.taskQueue });

    const duplicate = await rejection(schedules.create({ cron: '0 9 * * MON', test: test_ }));
    expect(duplicate.code).toBe('CONFLICT');
    expect(duplicate.message).toBe(`A/B test schedule ${id} refused: schedule ${id} already exists`);

    await schedules.pause(id);
    expect(await schedules.get(id)).toMatchObject({ paused: true, note: 'paused by modelctl' });
    await schedules.unpause(id);
    expect(await schedules.get(id)).toMatchObject({ paused: false, note: 'unpaused by modelctl' });
    await schedules.delete(id);
    expect(await schedules.get(id)).toBeNull();
    expect(await schedules.list()).toEqual([]);
  });

  test('a schedule needs exactly one of cron and every, and a valid test', async () => {
    const both = await rejection(schedules.create({ cron: '0 9 * * MON', every: '7d', test: test_ }));
    expect(both.message).toBe('invalid A/B test schedule: cron: give exactly one of cron or every');
    const badSplit = await rejection(
      schedules.create({ every: '7d', test: { ...test_, split: { control: 5000, treatment: 4000 } } }),
    );
    expect(badSplit.message).toBe(
      'invalid A/B test schedule: test.split: weights must sum to exactly 10000 basis points',
    );
    const emptyArm = await rejection(
      schedules.create({ every: '7d', test: { ...test_, split: { control: 10000, treatment: 0 } } }),
    );
    expect(emptyArm.message).toBe(
      'invalid A/B test schedule: test.split: each arm needs traffic: control and treatment must each be at least 1 basis point',
    );
    const badCron = await rejection(schedules.create({ cron: 'not a cron', test: test_ }));
    expect(badCron.code).toBe('INVALID_INPUT');
    expect(badCron.message).toBe(
      `invalid A/B test schedule: cron: "not a cron" is not a cron expression: has 3 field(s); give 5 (minute hour day-of-month month day-of-week); e.g. '0 9 * * MON'`,
    );
    const badHour = await rejection(schedules.create({ cron: '0 24 * * *', test: test_ }));
    expect(badHour.message).toBe(
      `invalid A/B test schedule: cron: "0 24 * * *" is not a cron expression: hour 24 is not in 0–23; e.g. '0 9 * * MON'`,
    );
    const tooOften = await rejection(schedules.create({ every: '999ms', test: test_ }));
    expect(tooOften.message).toBe(
      "invalid A/B test schedule: every: must be at least 1s (1000 ms, Temporal's shortest)",
    );
    const badZone = await rejection(schedules.create({ cron: '0 9 * * MON', timezone: 'Mars/Olympus', test: test_ }));
    expect(badZone.code).toBe('INVALID_INPUT');
    expect(badZone.message).toBe(
      `invalid A/B test schedule: timezone: "Mars/Olympus" is not a time zone; use an IANA name such as 'UTC' or 'Europe/Berlin'`,
    );
    expect(await schedules.get('abtest-digits-1.0.0-vs-1.1.0')).toBeNull();
  });
});
