import { z } from 'zod';

/** The form of a registry identity: a lowercase UUID (made by the registry's first migration). */
export const REGISTRY_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The registry a workflow belongs to (`registryId` in every workflow input). Optional in the inputs so that runs
 * started before identities existed, or by hand without one, still parse; when present, every activity of the run
 * checks it against its own store's and refuses a mismatch.
 */
export const RegistryId = z.string().regex(REGISTRY_ID_PATTERN, 'must be a registry identity (a lowercase UUID)');

/** Header that carries a run's registry identity to its activities and child workflows. */
export const REGISTRY_ID_HEADER = 'modelctl-registry-id';

/** The one-line refusal of an activity whose workflow belongs to another registry than its worker's store. */
export function registryMismatchMessage(workflowRegistry: string, workerRegistry: string, activity: string): string {
  return (
    `registry mismatch: this workflow belongs to registry ${workflowRegistry}, but the worker that picked up its ` +
    `activity ${activity} serves registry ${workerRegistry}; nothing was changed (run each registry's workers on ` +
    'a task queue or Temporal server of its own)'
  );
}
