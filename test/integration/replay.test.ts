import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { WORKFLOWS_PATH } from '../../src/worker/registry-worker';

const HISTORIES = join(__dirname, '../fixtures/histories');

describe('replay of recorded workflow histories', () => {
  // Recorded by test/e2e/workflows-dev-server.test.ts (UPDATE_HISTORIES=1 records them anew). A change to a workflow
  // that is not replay-safe (reordered or added activities, timers, conditions) fails here, before it reaches users.
  const files = readdirSync(HISTORIES)
    .filter((f) => f.endsWith('.json'))
    .sort();

  test('every workflow type has a recorded history', () => {
    expect(files).toEqual(['ab-test.json', 'promote-model.json', 'rollback.json']);
  });

  test('each recorded history replays on the current workflow code without non-determinism', async () => {
    const histories = files.map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, f), 'utf8'))),
    }));
    const results: [string, string | null][] = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories))
      results.push([r.workflowId, r.error?.message ?? null]);
    expect(results).toEqual([
      ['ab-test', null],
      ['promote-model', null],
      ['rollback', null],
    ]);
  });
});
