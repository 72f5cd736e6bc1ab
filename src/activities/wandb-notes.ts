import type { JsonValue } from '../domain/json';
import type { Experiment, RegistryStore } from '../store/registry-store';
import { wandbRunId, wandbStatusLine, type WandbClient, type WandbRecord } from '../integrations/wandb';
import type { WandbNote, WandbNoteOutcome } from './types';
import { openAbTestExperiment } from './ab-test-experiment';

/**
 * The experiment a note belongs to: the experiment of the promoted/rolled-back version, or for an A/B result the
 * experiment `abtest-<id>` (see openAbTestExperiment); null when the version has no experiment.
 */
export async function experimentForNote(store: RegistryStore, note: WandbNote): Promise<Experiment | null> {
  if (note.kind !== 'abtest') {
    const v = await store.getVersion(note.model, note.version);
    return v?.experimentId ? store.getExperiment(v.experimentId) : null;
  }
  const test = await store.getAbTest(note.id);
  // Tests started by an older worker have no experiment yet: it is opened here.
  return test === null ? null : openAbTestExperiment(store, test);
}

/** The records that make an experiment a W&B run: run (config, tags), metric history by step, summary, final state. */
async function experimentRecords(store: RegistryStore, e: Experiment): Promise<WandbRecord[]> {
  const rows = new Map<number, Record<string, number>>();
  for (const key of await store.metricKeys(e.id)) {
    let after: string | undefined;
    do {
      const page = await store.metricHistory({ experimentId: e.id, key, after });
      for (const p of page.points) rows.set(p.step, { ...rows.get(p.step), [p.key]: p.value });
      after = page.nextCursor ?? undefined;
    } while (after !== undefined);
  }
  const records: WandbRecord[] = [
    {
      key: 'run',
      kind: 'run',
      displayName: e.name,
      config: e.config,
      tags: ['modelctl', ...e.tags],
      jobType: e.type.toLowerCase(),
    },
    ...[...rows.entries()]
      .sort(([a], [b]) => a - b)
      .map(([step, values]): WandbRecord => ({ key: `history:${step}`, kind: 'history', step, values })),
  ];
  if (Object.keys(e.summary).length > 0)
    records.push({ key: `summary:${JSON.stringify(e.summary)}`, kind: 'summary', values: e.summary });
  if (e.status !== 'RUNNING')
    records.push({ key: 'state', kind: 'state', state: e.status === 'COMPLETED' ? 'finished' : 'failed' });
  return records;
}

function noteRecords(note: WandbNote, key: string): WandbRecord[] {
  if (note.kind === 'abtest') {
    // Read defensively: a note queued by an older worker may lack fields.
    const r: {
      status?: string;
      decision?: string | null;
      winner?: string | null;
      reason?: string;
      analysis?: { pValue?: number | null } | null;
    } = note.result;
    return [
      {
        key: `note:${key}`,
        kind: 'note',
        text: `A/B test ${note.id} ${r.status ?? ''}: decision ${r.decision ?? 'none'}${r.winner ? `, winner ${r.winner}` : ''}; ${r.reason ?? ''}`,
      },
      {
        key: `summary:${key}`,
        kind: 'summary',
        values: {
          'abtest/status': r.status ?? null,
          'abtest/decision': r.decision ?? null,
          'abtest/winner': r.winner ?? null,
          'abtest/p_value': r.analysis?.pValue ?? null,
        },
      },
      { key: 'state', kind: 'state', state: 'finished' },
    ];
  }
  const verb = note.kind === 'promotion' ? 'promoted' : 'rolled back to';
  return [
    {
      key: `note:${key}`,
      kind: 'note',
      text: `${note.model}: ${verb} ${note.version}${note.previousVersion ? ` (was ${note.previousVersion})` : ''} by ${note.actor}${note.reason ? `: ${note.reason}` : ''} [${note.workflowId}]`,
    },
    { key: `summary:${key}`, kind: 'summary', values: { [`${note.model}/production_version`]: note.version } },
  ];
}

/**
 * Mirrors a promotion, rollback or A/B result to W&B: the experiment's run (created with its config, metric history
 * and summary the first time; its id kept in the experiment's externalIds.wandb), or without an experiment a run per
 * model (`<model> lifecycle`), plus a note and summary keys. `key` (the activity's idempotency key) makes a retry add
 * nothing new.
 */
export async function noteInWandb(
  store: RegistryStore,
  wandb: WandbClient | null,
  note: WandbNote,
  key: string,
): Promise<WandbNoteOutcome> {
  if (wandb === null || !wandb.enabled) {
    return {
      status: 'OFF',
      runId: null,
      experimentId: null,
      reason: wandb === null ? 'W&B is off: not configured' : wandbStatusLine(wandb.settings),
    };
  }
  const experiment = await experimentForNote(store, note);
  let runId: string;
  let records: WandbRecord[];
  if (experiment !== null) {
    runId = experiment.externalIds.wandb ?? wandbRunId(`experiment:${experiment.id}`);
    // The id goes on the experiment first, so a run that an outage leaves half-sent is still found by it.
    if (experiment.externalIds.wandb !== runId)
      await store.updateExperiment(experiment.id, { externalIds: { wandb: runId } });
    records = await experimentRecords(store, experiment);
  } else {
    const model = note.kind === 'abtest' ? note.id : note.model;
    runId = wandbRunId(`model:${model}`);
    records = [
      {
        key: 'run',
        kind: 'run',
        displayName: `${model} lifecycle`,
        config: { model } as Record<string, JsonValue>,
        tags: ['modelctl', model],
        jobType: 'lifecycle',
      },
    ];
  }
  const result = await wandb.record(runId, [...records, ...noteRecords(note, key)]);
  return {
    status: result.mode === 'online' ? 'SENT' : 'KEPT_OFFLINE',
    runId,
    experimentId: experiment?.id ?? null,
    reason: null,
  };
}
