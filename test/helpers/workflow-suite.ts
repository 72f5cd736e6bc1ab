import { createActivities, type ActivityDeps } from '../../src/activities/create-activities';
import { LifecycleClient } from '../../src/client/lifecycle-client';
import { ModelctlError } from '../../src/domain/errors';
import { registryCheck, WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from '../../src/worker/registry-worker';
import { createTimeSkippingHarness, type TemporalHarness } from './temporal';
import { createTestRegistry, type TestRegistry } from './registry-fixture';

/** A real registry, the product's workflows on a time-skipping server, and a client for them. */
export interface WorkflowSuite {
  reg: TestRegistry;
  h: TemporalHarness;
  lifecycle: LifecycleClient;
}

/**
 * Registers beforeAll/afterAll hooks that build a {@link WorkflowSuite} and tear it down; the returned object's
 * fields are set once beforeAll has run. `extraDeps` adds activity dependencies (Git repository, W&B client).
 */
export function useWorkflowSuite(
  extraDeps: () => Promise<Partial<ActivityDeps>> | Partial<ActivityDeps> = () => ({}),
): WorkflowSuite {
  const suite = {} as WorkflowSuite;
  beforeAll(async () => {
    suite.reg = await createTestRegistry();
    const activities = createActivities({
      store: suite.reg.store,
      artifacts: suite.reg.artifacts,
      ...(await extraDeps()),
    });
    // The product's registry identity on every run: the header interceptor and the activities' check.
    const store = suite.reg.store;
    suite.h = await createTimeSkippingHarness({
      workflowsPath: WORKFLOWS_PATH,
      activities,
      workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH],
      activityInterceptors: [registryCheck(() => store.registryId())],
    });
    suite.lifecycle = new LifecycleClient(suite.h.client, suite.h.taskQueue, await store.registryId());
  });
  afterAll(async () => {
    await suite.h?.teardown();
    await suite.reg?.close();
  });
  return suite;
}

/** Awaits `p`, expecting it to reject with a ModelctlError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<ModelctlError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ModelctlError);
    return err as ModelctlError;
  }
  throw new Error('expected a rejection');
}
