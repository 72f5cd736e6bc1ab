import { proxyActivities } from '@temporalio/workflow';
import type { RegistryActivities, SideEffectActivities } from '../activities/types';

/**
 * Store and artifact activities: short, retried with backoff for transient faults; user errors are
 * non-retryable ApplicationFailures (their type is the error code), so they fail at once.
 */
export const registry = proxyActivities<RegistryActivities & Pick<SideEffectActivities, 'recordExperimentWarnings'>>({
  // Store calls take milliseconds; a worker that dies mid-call is noticed (and the call retried elsewhere) after this.
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** Artifact verification re-reads every byte: allow for large artifacts and report liveness by heartbeat. */
export const artifacts = proxyActivities<Pick<RegistryActivities, 'verifyArtifact'>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * Best-effort side effects (Git tags, W&B notes): a few attempts with backoff for an outage, then the workflow
 * records a warning and goes on; the decision already taken is never undone for them.
 */
export const sideEffects = proxyActivities<Pick<SideEffectActivities, 'tagInGit' | 'noteInWandb'>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * The guard's observation reads: two quick attempts, then the guard counts a failed read against its
 * consecutive-error budget and tries again at the next check, instead of retrying one read for minutes.
 */
export const guardReads = proxyActivities<Pick<RegistryActivities, 'readGuardObservations'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 2 },
});

/** Webhook deliveries: retried with backoff by Temporal, every attempt recorded; a lost one never fails a guard. */
export const webhooks = proxyActivities<Pick<RegistryActivities, 'deliverGuardWebhook'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
});
