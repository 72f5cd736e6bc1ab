import type { AbTestResult, AbTestState, AbTestVerdict } from '../domain/ab-test';
import type { RegistryStore } from '../store/registry-store';
import { interimAnalysis } from './ab-test-traffic';
import type { LifecycleClient } from './lifecycle-client';
import type { WorkflowRunStatus } from './workflow-runs';

/** An A/B test's run, with the stored result once it ended and an interim analysis while it runs. */
export type AbTestRunStatus = WorkflowRunStatus<AbTestState, AbTestResult> & {
  /** The analysis of the outcomes recorded so far (always-valid p-values), while the test is SCHEDULED or RUNNING. */
  interim: AbTestVerdict | null;
};

/**
 * Where A/B test `id` is, after waiting up to `waitMs` milliseconds for it to end: its workflow run and state, and
 * either the result (how it ended and why, as the registry stored it) or, while it runs, an interim analysis.
 * @throws ModelctlError NOT_FOUND when no such test was started
 */
export async function abTestStatus(
  lifecycle: LifecycleClient,
  store: RegistryStore,
  id: string,
  waitMs = 0,
): Promise<AbTestRunStatus> {
  const run = await lifecycle.abTestRun(id, waitMs);
  const ended =
    run.state !== null ? run.state.status !== 'SCHEDULED' && run.state.status !== 'RUNNING' : run.status !== 'RUNNING';
  if (ended) {
    const stored = await store.getAbTest(id);
    return { ...run, result: stored?.result ?? run.result, interim: null };
  }
  // A run that has not recorded its test yet (it validates the versions first) has nothing to analyse.
  const recorded = (await store.getAbTest(id)) !== null;
  return { ...run, interim: recorded ? (await interimAnalysis(store, id)).verdict : null };
}
