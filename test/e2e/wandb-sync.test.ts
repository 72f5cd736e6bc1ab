import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createWandbClient } from '../../src/config/wandb';
import { loadConfig } from '../../src/config/environment';
import type { WandbRecord } from '../../src/integrations';
import { BIN, ROOT, buildCli } from '../helpers/cli';
import { startFakeWandb, type FakeWandb } from '../helpers/fake-wandb';

const run = promisify(execFile);

describe('modelctl wandb sync', () => {
  let server: FakeWandb;
  let home: string;
  beforeAll(async () => {
    buildCli();
    server = await startFakeWandb();
    home = await mkdtemp(join(tmpdir(), 'modelctl-wandb-sync-'));
  });
  afterAll(async () => {
    await server?.close();
    await rm(home, { recursive: true, force: true });
  });

  test('uploads what offline mode kept, once: a second sync sends nothing', async () => {
    const records: WandbRecord[] = [
      {
        key: 'run',
        kind: 'run',
        displayName: 'digits training',
        config: { lr: 0.01 },
        tags: ['modelctl'],
        jobType: 'training',
      },
      { key: 'history:1', kind: 'history', step: 1, values: { loss: 0.9 } },
      { key: 'history:2', kind: 'history', step: 2, values: { loss: 0.4 } },
    ];
    const offline = createWandbClient(
      loadConfig({ MODELCTL_HOME: home, WANDB_MODE: 'offline', WANDB_PROJECT: 'sync-test' }),
    );
    await offline.record('run-offline', records);
    expect(server.requests).toEqual([]);

    const env = {
      ...process.env,
      MODELCTL_HOME: home,
      WANDB_API_KEY: 'key-1',
      WANDB_BASE_URL: server.url,
      WANDB_PROJECT: 'sync-test',
      WANDB_MODE: 'online',
    };
    const first = await run(process.execPath, [BIN, 'wandb', 'sync', '--json'], { cwd: ROOT, env });
    expect(JSON.parse(first.stdout)).toEqual([{ runId: 'run-offline', records: 3, historyLines: 2, upserts: 1 }]);
    expect(server.runs.get('run-offline')?.history).toEqual([
      { loss: 0.9, _step: 1 },
      { loss: 0.4, _step: 2 },
    ]);
    const requests = server.requests.length;

    const second = await run(process.execPath, [BIN, 'wandb', 'sync'], { cwd: ROOT, env });
    expect(second.stdout).toBe('W&B sync: nothing new (1 run up to date)\n');
    expect(server.requests.length).toBe(requests);
  });
});
