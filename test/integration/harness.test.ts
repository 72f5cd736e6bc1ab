import { resolve } from 'node:path';
import { createDevServerHarness, createTimeSkippingHarness, type TemporalHarness } from '../helpers/temporal';
import { greetOnce, sleepHours } from '../fixtures/workflows/harness';

const workflowsPath = resolve(__dirname, '../fixtures/workflows/harness.ts');

describe('time-skipping server', () => {
  let h: TemporalHarness;
  beforeAll(async () => {
    h = await createTimeSkippingHarness({ workflowsPath });
  });
  afterAll(() => h?.teardown());

  test('a workflow that sleeps 24 hours completes at once with 24 hours of workflow time elapsed', async () => {
    const wallStart = process.hrtime.bigint();
    const result = await h.client.workflow.execute(sleepHours, {
      args: [24],
      taskQueue: h.taskQueue,
      workflowId: `sleep-${h.taskQueue}`,
    });
    const wallMs = Number(process.hrtime.bigint() - wallStart) / 1e6;
    expect(result.sleptMs).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    // Not a timing assertion on speed: it proves time was skipped rather than waited (a real wait is 86,400 s).
    expect(wallMs).toBeLessThan(60_000);
  });
});

describe('dev server', () => {
  let h: TemporalHarness;
  const calls: string[] = [];
  beforeAll(async () => {
    h = await createDevServerHarness({
      workflowsPath,
      activities: {
        async greet(name: string) {
          calls.push(name);
          return `hello, ${name}`;
        },
      },
    });
  });
  afterAll(() => h?.teardown());

  test('a workflow with one activity runs end to end and the activity runs once', async () => {
    const handle = await h.client.workflow.start(greetOnce, {
      args: ['registry'],
      taskQueue: h.taskQueue,
      workflowId: `greet-${h.taskQueue}`,
    });
    await expect(handle.result()).resolves.toBe('hello, registry');
    expect(calls).toEqual(['registry']);
    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
  });
});
