import type { AbTestSchedules } from '../client/ab-test-schedules';
import type { ApiTokens } from '../client/api-tokens';
import type { LifecycleClient } from '../client/lifecycle-client';
import type { ModelRegistry } from '../client/model-registry';

/** A dependency the server needs to be ready, probed by `/readyz`; throws when it is unreachable. */
export type ReadinessCheck = () => Promise<void>;

/** What the workflow routes work with: the lifecycle client and schedules on the server's Temporal connection. */
export interface WorkflowServices {
  lifecycle: LifecycleClient;
  schedules: AbTestSchedules;
  /** Link to a workflow in the Temporal Web UI, or null when the UI address is unknown. */
  workflowUrl(workflowId: string): string | null;
  /** The Temporal Web UI the dashboard links workflows to, or null when its address is unknown. */
  temporalUi?: { url: string; namespace: string } | null;
}

/** What the routes work with: the library objects, built once per server process. */
export interface ApiContext {
  registry: ModelRegistry;
  tokens: ApiTokens;
  /** Named probes of `/readyz` (the store, Temporal). */
  readiness: Record<string, ReadinessCheck>;
  /** Null when the server runs without Temporal: the workflow routes then answer 503 UNAVAILABLE. */
  workflows: WorkflowServices | null;
}
