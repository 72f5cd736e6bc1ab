import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from '../../src/worker/registry-worker';
import { WORKFLOWS } from '../../src/workflows/registry';

const HISTORIES = join(__dirname, '../fixtures/histories');

describe('replay of recorded workflow histories', () => {
  // Recorded by test/e2e/workflows-dev-server.test.ts (UPDATE_HISTORIES=1 records them anew). A change to a workflow
  // that is not replay-safe (reordered or added activities, timers, conditions) fails here, before it reaches users.
  const files = readdirSync(HISTORIES)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const registered = WORKFLOWS.map((w) => w.history).sort();

  test('every workflow of the registry has a recorded history, and every history a workflow', () => {
    expect(files).toEqual(registered.map((name) => `${name}.json`));
  });

  test('each recorded history is of its workflow type and replays on the current code without non-determinism', async () => {
    const histories = WORKFLOWS.map((w) => ({
      workflowType: w.workflowType,
      workflowId: w.history,
      history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, `${w.history}.json`), 'utf8'))),
    }));
    expect(
      histories.map((h) => [
        h.workflowType,
        h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? null,
      ]),
    ).toEqual(WORKFLOWS.map((w) => [w.workflowType, w.workflowType]));
    const results: [string, string | null][] = [];
    for await (const r of Worker.runReplayHistories(
      // The interceptors the product's workers bundle: they must leave a recorded run's commands as they were.
      { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: [WORKFLOW_INTERCEPTORS_PATH] } },
      histories,
    ))
      results.push([r.workflowId, r.error?.message ?? null]);
    expect(results).toEqual(WORKFLOWS.map((w) => [w.history, null]));
  });
});
