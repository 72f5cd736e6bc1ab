/**
 * Every A/B test is tracked as an experiment of type AB_TEST, `abtest-<test id>`: opened when the test starts (config =
 * the test's definition, linked to both versions) and ended with the test, its summary holding the analysis figures.
 * So `modelctl experiment show abtest-<id>`, reports and the W&B mirror see A/B tests beside training runs.
 */
import type { AbTestResult, AbTestStatus } from '../domain/ab-test';
import type { ExperimentStatus } from '../domain/experiment';
import type { AbTestRecord, Experiment, RegistryStore } from '../store/registry-store';
import type { AbTestAnalysis } from '../stats';
import { abTestExperimentId } from '../workflows/ab-test.contract';

/**
 * The experiment of `test`, created the first time (a retry or a later caller finds it). Its start is the test's
 * start when known.
 */
export async function openAbTestExperiment(store: RegistryStore, test: AbTestRecord): Promise<Experiment> {
  const id = abTestExperimentId(test.id);
  const found = await store.getExperiment(id);
  if (found !== null) return found;
  const started = test.startedAt ?? test.createdAt;
  await store.createExperiment({
    id,
    name: `A/B test ${test.name}`,
    type: 'AB_TEST',
    config: test.definition,
    tags: ['abtest', test.model],
    description: `${test.model}: ${test.control} (control) vs ${test.treatment} (treatment)`,
    startedAt: started,
  });
  for (const version of [test.control, test.treatment]) await store.linkVersion(id, { model: test.model, version });
  return (await store.getExperiment(id))!;
}

const ENDED_AS: Record<Exclude<AbTestStatus, 'SCHEDULED' | 'RUNNING'>, ExperimentStatus> = {
  COMPLETED: 'COMPLETED',
  STOPPED: 'COMPLETED',
  ABORTED: 'CANCELLED',
};

/**
 * The figures of a result as an experiment summary (finite numbers only): units and mean per arm, absolute and
 * relative effect, p-value (Holm-adjusted when guardrails were tested) and the SRM p-value; empty without analysis.
 */
export function abTestSummary(result: AbTestResult): Record<string, number> {
  // The verdict carries the statistics module's output as JSON (it is stored and sent through workflow history).
  const a = result.analysis?.analysis as AbTestAnalysis | null | undefined;
  if (a === null || a === undefined) return {};
  const figures: Record<string, number | null | undefined> = {
    'control/units': a.control.units,
    'control/mean': a.control.mean,
    'treatment/units': a.treatment.units,
    'treatment/mean': a.treatment.mean,
    'effect/absolute': a.absolute?.estimate,
    'effect/relative': a.relative?.estimate,
    p_value: a.pValueAdjusted ?? a.pValue,
    srm_p_value: a.srm.pValue,
  };
  return Object.fromEntries(
    Object.entries(figures).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])),
  );
}

/**
 * Ends the experiment of an ended test: COMPLETED (or STOPPED) → COMPLETED, ABORTED → CANCELLED, at the result's end
 * time, with abTestSummary as its summary. Safe to repeat: an experiment already ended is left as it is.
 */
export async function closeAbTestExperiment(
  store: RegistryStore,
  test: AbTestRecord,
  result: AbTestResult,
): Promise<void> {
  const experiment = await openAbTestExperiment(store, test);
  if (experiment.status !== 'RUNNING' || result.status === 'SCHEDULED' || result.status === 'RUNNING') return;
  const endedAt =
    Date.parse(result.endedAt) >= Date.parse(experiment.startedAt) ? result.endedAt : experiment.startedAt;
  await store.updateExperiment(experiment.id, {
    status: ENDED_AS[result.status],
    endedAt,
    summary: abTestSummary(result),
  });
}
