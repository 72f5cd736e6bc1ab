import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, ModelctlError } from '../domain/errors';
import type { JsonValue } from '../domain/json';

/**
 * Weights & Biases mirroring over W&B's public HTTP API, the same two endpoints `@wandb/sdk` calls:
 * `POST <base>/graphql` with the `upsertBucket` mutation (create or update a run: config, tags, notes, summary, state)
 * and `POST <base>/files/<entity>/<project>/<run>/file_stream` (history lines at an offset, the summary, completion).
 *
 * Why not the SDK itself (0.5.x): it keeps one global run per process, installs its own SIGINT/SIGTERM handlers that
 * call process.exit() (a worker must drain its tasks first), drops every record in offline mode instead of keeping it,
 * and retries a request up to 60 times inside the call, which would hide an outage from Temporal's retry policy.
 *
 * Every record goes first to an outbox, `<dir>/<runId>.jsonl` (deduplicated by record key); a cursor file
 * `<dir>/<runId>.cursor.json` says how many records the server has acknowledged. Online, each call uploads what is
 * not acknowledged yet; offline, records wait for {@link WandbClient.sync}. History lines are sent at their line
 * offset, which W&B treats as a position (a resend overwrites), so a crash between upload and cursor write never
 * duplicates a step.
 */

/** How W&B mirroring runs. */
export interface WandbSettings {
  mode: 'online' | 'offline' | 'disabled';
  apiKey: string | null;
  project: string;
  /** W&B entity (user or team); null: the key's default entity. */
  entity?: string | null;
  /** Default https://api.wandb.ai. */
  baseUrl: string | null;
  /** Outbox directory, `MODELCTL_HOME/wandb`. */
  dir: string;
}

/** One record of a run, as kept in the outbox. `key` makes a retried append a no-op. */
export type WandbRecord =
  | {
      key: string;
      kind: 'run';
      displayName: string;
      config: Record<string, JsonValue>;
      tags: string[];
      jobType: string;
    }
  | { key: string; kind: 'history'; step: number; values: Record<string, number> }
  | { key: string; kind: 'summary'; values: Record<string, JsonValue> }
  | { key: string; kind: 'note'; text: string }
  | { key: string; kind: 'state'; state: 'finished' | 'failed' };

/** What a {@link WandbClient.record} call did. */
export interface WandbRecordResult {
  runId: string;
  mode: WandbSettings['mode'];
  /** Records newly added to the outbox (a retry adds 0). */
  appended: number;
  /** Online: what the upload sent; offline: null. */
  upload: WandbUploadResult | null;
}

/** What one upload of one run sent. */
export interface WandbUploadResult {
  runId: string;
  /** Records acknowledged by this upload (0: nothing new). */
  records: number;
  historyLines: number;
  upserts: number;
}

interface Cursor {
  acknowledged: number;
  historyLines: number;
  completed: boolean;
  entity: string | null;
}

const DEFAULT_BASE_URL = 'https://api.wandb.ai';
/** One request may wait this long; a slower server is an outage for the retry policy to handle. */
const REQUEST_TIMEOUT_MS = 30_000;

const UPSERT_BUCKET = `mutation UpsertBucket($name: String, $project: String, $entity: String, $displayName: String, $notes: String,
  $config: JSONString, $jobType: String, $state: String, $tags: [String!], $summaryMetrics: JSONString) {
  upsertBucket(input: { name: $name, modelName: $project, entityName: $entity, displayName: $displayName, notes: $notes,
    config: $config, jobType: $jobType, state: $state, tags: $tags, summaryMetrics: $summaryMetrics }) {
    bucket { id name project { name entity { name } } }
    inserted
  }
}`;

/**
 * A W&B run id for an experiment (or any stable key): `mc` + 14 hex characters of its sha256, so the same
 * experiment always maps to the same run and a retried create finds it.
 */
export function wandbRunId(key: string): string {
  return `mc${createHash('sha256').update(key).digest('hex').slice(0, 14)}`;
}

/** The one line that says whether W&B is on, and why not. */
export function wandbStatusLine(settings: Pick<WandbSettings, 'mode' | 'apiKey' | 'project' | 'dir'>): string {
  if (settings.mode === 'disabled')
    return 'W&B is off (WANDB_MODE=disabled, or no WANDB_API_KEY); set WANDB_API_KEY, or WANDB_MODE=offline to keep records for `modelctl wandb sync`';
  if (settings.mode === 'offline')
    return `W&B is offline: records are kept in ${settings.dir} until \`modelctl wandb sync\``;
  if (settings.apiKey === null) return 'W&B is off: WANDB_MODE=online needs WANDB_API_KEY';
  return `W&B is online: project ${settings.project}`;
}

/** Writes W&B records to the outbox and uploads them (online) or keeps them for a later sync (offline). */
export class WandbClient {
  constructor(readonly settings: WandbSettings) {}

  /** True when records are kept or sent (offline, or online with a key). */
  get enabled(): boolean {
    return this.settings.mode === 'offline' || (this.settings.mode === 'online' && this.settings.apiKey !== null);
  }

  /**
   * Appends the records not yet in the run's outbox (by key) and, online, uploads everything not acknowledged.
   * @throws ModelctlError CONFIGURATION when W&B is off; UNAVAILABLE (retryable) when the server fails or cannot be reached.
   */
  async record(runId: string, records: readonly WandbRecord[]): Promise<WandbRecordResult> {
    if (!this.enabled) throw new ModelctlError(ErrorCode.CONFIGURATION, wandbStatusLine(this.settings));
    await mkdir(this.settings.dir, { recursive: true });
    const existing = await this.readOutbox(runId);
    const keys = new Set(existing.map((r) => r.key));
    const fresh = records.filter((r) => !keys.has(r.key) && (keys.add(r.key), true));
    if (fresh.length > 0) await appendFile(this.outboxPath(runId), fresh.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const upload = this.settings.mode === 'online' ? await this.upload(runId) : null;
    return { runId, mode: this.settings.mode, appended: fresh.length, upload };
  }

  /**
   * Uploads every run's records not acknowledged yet (what offline mode kept). A second sync sends nothing.
   * @throws ModelctlError CONFIGURATION without an API key; UNAVAILABLE when the server fails.
   */
  async sync(): Promise<WandbUploadResult[]> {
    if (this.settings.apiKey === null)
      throw new ModelctlError(ErrorCode.CONFIGURATION, 'cannot sync to W&B without WANDB_API_KEY');
    let files: string[];
    try {
      files = await readdir(this.settings.dir);
    } catch {
      return [];
    }
    const results: WandbUploadResult[] = [];
    for (const file of files.filter((f) => f.endsWith('.jsonl')).sort())
      results.push(await this.upload(file.replace(/\.jsonl$/, '')));
    return results;
  }

  private async upload(runId: string): Promise<WandbUploadResult> {
    const records = await this.readOutbox(runId);
    const cursor = await this.readCursor(runId);
    const fresh = records.slice(cursor.acknowledged);
    const result: WandbUploadResult = { runId, records: 0, historyLines: 0, upserts: 0 };
    if (fresh.length === 0) return result;

    const all = fold(records);
    // The run's full state is upserted (idempotent by run name) whenever something other than history arrived.
    if (cursor.entity === null || fresh.some((r) => r.kind !== 'history')) {
      const bucket = await this.graphql(runId, all);
      cursor.entity = bucket.entity;
      result.upserts = 1;
    }
    const history = fresh.filter((r): r is Extract<WandbRecord, { kind: 'history' }> => r.kind === 'history');
    const files: Record<string, { offset: number; content: string[] }> = {};
    if (history.length > 0) {
      files['wandb-history.jsonl'] = {
        offset: cursor.historyLines,
        content: history.map((h) => JSON.stringify({ ...h.values, _step: h.step })),
      };
    }
    if (history.length > 0 || fresh.some((r) => r.kind === 'summary'))
      files['wandb-summary.json'] = { offset: 0, content: [JSON.stringify(all.summary)] };
    if (Object.keys(files).length > 0) await this.fileStream(runId, cursor.entity!, { files });
    if (all.state !== null && !cursor.completed) {
      await this.fileStream(runId, cursor.entity!, { complete: true, exitcode: all.state === 'finished' ? 0 : 1 });
      cursor.completed = true;
    }
    cursor.historyLines += history.length;
    cursor.acknowledged = records.length;
    await writeFile(this.cursorPath(runId), JSON.stringify(cursor));
    return { ...result, records: fresh.length, historyLines: history.length };
  }

  private async graphql(runId: string, run: FoldedRun): Promise<{ entity: string }> {
    const variables = {
      name: runId,
      project: this.settings.project,
      entity: this.settings.entity ?? null,
      displayName: run.displayName,
      notes: run.notes.join('\n'),
      config: JSON.stringify(Object.fromEntries(Object.entries(run.config).map(([k, v]) => [k, { value: v }]))),
      jobType: run.jobType,
      state: run.state,
      tags: run.tags,
      summaryMetrics: JSON.stringify(run.summary),
    };
    const body = (await this.post('/graphql', { query: UPSERT_BUCKET, variables })) as {
      data?: { upsertBucket?: { bucket?: { project?: { entity?: { name?: string } } } } };
      errors?: { message: string }[];
    };
    if (body.errors?.length)
      throw new ModelctlError(
        ErrorCode.UNAVAILABLE,
        `W&B upsertBucket for run ${runId} failed: ${body.errors.map((e) => e.message).join('; ')}`,
      );
    const entity = body.data?.upsertBucket?.bucket?.project?.entity?.name;
    if (!entity) throw new ModelctlError(ErrorCode.UNAVAILABLE, `W&B upsertBucket for run ${runId} returned no entity`);
    return { entity };
  }

  private async fileStream(runId: string, entity: string, payload: object): Promise<void> {
    await this.post(
      `/files/${encodeURIComponent(entity)}/${encodeURIComponent(this.settings.project)}/${encodeURIComponent(runId)}/file_stream`,
      payload,
    );
  }

  private async post(path: string, payload: object): Promise<unknown> {
    const url = `${(this.settings.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'modelctl',
          Authorization: `Basic ${Buffer.from(`api:${this.settings.apiKey ?? ''}`).toString('base64')}`,
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new ModelctlError(
        ErrorCode.UNAVAILABLE,
        `W&B at ${url} cannot be reached: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`,
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new ModelctlError(
        ErrorCode.UNAVAILABLE,
        `W&B ${path} answered HTTP ${response.status}: ${text.slice(0, 200)}`,
      );
    try {
      return JSON.parse(text || '{}');
    } catch {
      throw new ModelctlError(ErrorCode.UNAVAILABLE, `W&B ${path} answered with something other than JSON`);
    }
  }

  private outboxPath(runId: string): string {
    return join(this.settings.dir, `${runId}.jsonl`);
  }

  private cursorPath(runId: string): string {
    return join(this.settings.dir, `${runId}.cursor.json`);
  }

  private async readOutbox(runId: string): Promise<WandbRecord[]> {
    let text: string;
    try {
      text = await readFile(this.outboxPath(runId), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as WandbRecord);
  }

  private async readCursor(runId: string): Promise<Cursor> {
    try {
      return JSON.parse(await readFile(this.cursorPath(runId), 'utf8')) as Cursor;
    } catch {
      return { acknowledged: 0, historyLines: 0, completed: false, entity: null };
    }
  }
}

interface FoldedRun {
  displayName: string | null;
  config: Record<string, JsonValue>;
  tags: string[];
  jobType: string | null;
  notes: string[];
  summary: Record<string, JsonValue>;
  state: 'finished' | 'failed' | null;
}

/** The run's state after all its records: later run records replace, summaries merge, notes accumulate. */
function fold(records: readonly WandbRecord[]): FoldedRun {
  const run: FoldedRun = {
    displayName: null,
    config: {},
    tags: [],
    jobType: null,
    notes: [],
    summary: {},
    state: null,
  };
  for (const r of records) {
    if (r.kind === 'run')
      Object.assign(run, { displayName: r.displayName, config: r.config, tags: r.tags, jobType: r.jobType });
    else if (r.kind === 'summary') Object.assign(run.summary, r.values);
    else if (r.kind === 'note') run.notes.push(r.text);
    else if (r.kind === 'state') run.state = r.state;
    else Object.assign(run.summary, r.values);
  }
  return run;
}
