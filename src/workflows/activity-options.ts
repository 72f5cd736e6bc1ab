import { proxyActivities } from '@temporalio/workflow';
import type { RegistryActivities } from '../activities/types';

/**
 * Store and artifact activities: short, retried with backoff for transient faults; user errors are
 * non-retryable ApplicationFailures (their type is the error code), so they fail at once.
 */
export const registry = proxyActivities<RegistryActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** Artifact verification re-reads every byte: allow for large artifacts and report liveness by heartbeat. */
export const artifacts = proxyActivities<Pick<RegistryActivities, 'verifyArtifact'>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});
