import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  WandbClient,
  wandbRunId,
  wandbStatusLine,
  type WandbRecord,
  type WandbSettings,
} from '../../../src/integrations';
import { startFakeWandb, type FakeWandb } from '../../helpers/fake-wandb';

const RECORDS: WandbRecord[] = [
  {
    key: 'run',
    kind: 'run',
    displayName: 'digits training',
    config: { lr: 0.01, layers: [64, 32] },
    tags: ['modelctl', 'digits'],
    jobType: 'training',
  },
  { key: 'history:0', kind: 'history', step: 0, values: { loss: 2.3, accuracy: 0.1 } },
  { key: 'history:1', kind: 'history', step: 1, values: { loss: 0.9 } },
  { key: 'history:5', kind: 'history', step: 5, values: { loss: 0.2, accuracy: 0.95 } },
  { key: 'summary:final', kind: 'summary', values: { best_accuracy: 0.95 } },
  { key: 'note:promote', kind: 'note', text: 'digits: promoted 1.1.0 by ci' },
  { key: 'state', kind: 'state', state: 'finished' },
];

describe('W&B client against a local server that speaks the W&B endpoints', () => {
  let server: FakeWandb;
  let dir: string;
  const settings = (over: Partial<WandbSettings> = {}): WandbSettings => ({
    mode: 'online',
    apiKey: 'key-123',
    project: 'modelctl-test',
    baseUrl: server.url,
    dir,
    ...over,
  });
  beforeEach(async () => {
    server = await startFakeWandb();
    dir = join(await mkdtemp(join(tmpdir(), 'modelctl-wandb-')), 'wandb');
  });
  afterEach(async () => {
    await server.close();
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  test('online: one run is created with config, tags, notes, history at the right steps, summary and final state', async () => {
    const runId = wandbRunId('experiment:exp-1');
    const result = await new WandbClient(settings()).record(runId, RECORDS);
    expect(result).toEqual({
      runId,
      mode: 'online',
      appended: 7,
      upload: { runId, records: 7, historyLines: 3, upserts: 1 },
    });
    const run = server.runs.get(runId)!;
    expect(run).toMatchObject({
      project: 'modelctl-test',
      inserts: 1,
      updates: 0,
      displayName: 'digits training',
      notes: 'digits: promoted 1.1.0 by ci',
      tags: ['modelctl', 'digits'],
      complete: true,
      exitcode: 0,
    });
    expect(run.config).toEqual({ lr: { value: 0.01 }, layers: { value: [64, 32] } });
    expect(run.history).toEqual([
      { loss: 2.3, accuracy: 0.1, _step: 0 },
      { loss: 0.9, _step: 1 },
      { loss: 0.2, accuracy: 0.95, _step: 5 },
    ]);
    expect(run.summary).toEqual({ loss: 0.2, accuracy: 0.95, best_accuracy: 0.95 });
    expect(server.requests.map((r) => r.path)).toEqual([
      '/graphql',
      `/files/team-ml/modelctl-test/${runId}/file_stream`,
      `/files/team-ml/modelctl-test/${runId}/file_stream`,
    ]);
    expect(server.requests[0]!.auth).toBe(`Basic ${Buffer.from('api:key-123').toString('base64')}`);
  });

  test('a retried call sends nothing new; new steps are appended after the old ones', async () => {
    const client = new WandbClient(settings());
    await client.record('run1', RECORDS.slice(0, 3));
    const before = server.requests.length;
    expect(await client.record('run1', RECORDS.slice(0, 3))).toEqual({
      runId: 'run1',
      mode: 'online',
      appended: 0,
      upload: { runId: 'run1', records: 0, historyLines: 0, upserts: 0 },
    });
    expect(server.requests.length).toBe(before);
    await client.record('run1', RECORDS.slice(0, 4));
    const run = server.runs.get('run1')!;
    expect(run.history.map((h) => h._step)).toEqual([0, 1, 5]);
    expect(run.inserts).toBe(1);
  });

  test('a failure in the middle of an upload, then a retry: the run is created once and no step is duplicated', async () => {
    const client = new WandbClient(settings());
    await client.record('run2', RECORDS.slice(0, 4));
    server.failNext(1); // the next history post fails after the record reached the outbox
    await expect(
      client.record('run2', [{ key: 'history:6', kind: 'history', step: 6, values: { loss: 0.1 } }]),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('HTTP 503') });
    const retried = await client.record('run2', [
      { key: 'history:6', kind: 'history', step: 6, values: { loss: 0.1 } },
    ]);
    expect(retried.appended).toBe(0);
    expect(retried.upload).toEqual({ runId: 'run2', records: 1, historyLines: 1, upserts: 0 });
    const run = server.runs.get('run2')!;
    expect(run.inserts).toBe(1);
    expect(run.history.map((h) => h._step)).toEqual([0, 1, 5, 6]);
  });

  test('offline: records are written under the directory, nothing is sent; sync uploads them once, a second sync sends nothing', async () => {
    const offline = new WandbClient(settings({ mode: 'offline', apiKey: null }));
    expect(await offline.record('run3', RECORDS)).toEqual({
      runId: 'run3',
      mode: 'offline',
      appended: 7,
      upload: null,
    });
    expect(server.requests).toEqual([]);
    expect(await readdir(dir)).toEqual(['run3.jsonl']);
    const lines = (await readFile(join(dir, 'run3.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as WandbRecord).key)).toEqual(RECORDS.map((r) => r.key));

    const online = new WandbClient(settings());
    expect(await online.sync()).toEqual([{ runId: 'run3', records: 7, historyLines: 3, upserts: 1 }]);
    expect(server.runs.get('run3')!.history).toHaveLength(3);
    const sent = server.requests.length;
    expect(await online.sync()).toEqual([{ runId: 'run3', records: 0, historyLines: 0, upserts: 0 }]);
    expect(server.requests.length).toBe(sent);
  });

  test('a server that is down gives a retryable UNAVAILABLE error and keeps the records for later', async () => {
    const down = `http://127.0.0.1:${new URL(server.url).port}`;
    await server.close();
    const client = new WandbClient(settings({ baseUrl: down }));
    await expect(client.record('run4', RECORDS)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(`W&B at ${down}/graphql cannot be reached`),
    });
    server = await startFakeWandb();
    expect(await new WandbClient(settings()).sync()).toEqual([
      { runId: 'run4', records: 7, historyLines: 3, upserts: 1 },
    ]);
  });

  test('disabled, or online without a key: W&B is off, one line says so, and nothing is written', async () => {
    const off = new WandbClient(settings({ mode: 'disabled', apiKey: null }));
    expect(off.enabled).toBe(false);
    await expect(off.record('run5', RECORDS)).rejects.toMatchObject({
      code: 'CONFIGURATION',
      message: wandbStatusLine(off.settings),
    });
    expect(wandbStatusLine({ mode: 'online', apiKey: null, project: 'p', dir })).toBe(
      'W&B is off: WANDB_MODE=online needs WANDB_API_KEY',
    );
    await expect(readdir(dir)).rejects.toThrow();
  });

  test('run ids are stable per key and valid W&B ids', () => {
    expect(wandbRunId('experiment:exp-1')).toBe(wandbRunId('experiment:exp-1'));
    expect(wandbRunId('experiment:exp-1')).not.toBe(wandbRunId('experiment:exp-2'));
    expect(wandbRunId('x')).toMatch(/^mc[0-9a-f]{14}$/);
  });
});
