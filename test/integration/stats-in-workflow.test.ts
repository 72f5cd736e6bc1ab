import { resolve } from 'node:path';
import { analyzeAbTest, assign } from '../../src/stats';
import { createTimeSkippingHarness, type TemporalHarness } from '../helpers/temporal';
import { statsInSandbox } from '../fixtures/workflows/stats';

describe('src/stats inside a Temporal workflow', () => {
  let h: TemporalHarness;
  beforeAll(async () => {
    h = await createTimeSkippingHarness({ workflowsPath: resolve(__dirname, '../fixtures/workflows/stats.ts') });
  });
  afterAll(() => h?.teardown());

  test('bundles without Node built-ins and gives the same assignments and analysis as outside', async () => {
    const doc = {
      metric: 'binary',
      control: { units: 10000, conversions: 200 },
      treatment: { units: 10000, conversions: 250 },
    };
    const ids = ['user-1', 'user-2', 'ünïcødé-42'];
    const result = await h.client.workflow.execute(statsInSandbox, {
      args: [doc, ids],
      taskQueue: h.taskQueue,
      workflowId: `stats-${h.taskQueue}`,
    });
    expect(result.assignments).toEqual(ids.map((id) => assign('sandbox-test', id, { control: 5000, treatment: 5000 })));
    expect(result.analysis).toEqual(analyzeAbTest(doc));
    expect(result.analysis.decision).toBe('treatment');
  });
});
