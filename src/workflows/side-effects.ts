import { isCancellation } from '@temporalio/workflow';
import { innermostCause } from '../domain/errors';
import type { WandbNote } from '../activities/types';
import { registry, sideEffects } from './activity-options';

/** The innermost message of an activity failure (ActivityFailure → ApplicationFailure → …). */
function failureMessage(err: unknown): string {
  const inner = innermostCause(err);
  return inner instanceof Error ? inner.message : String(inner);
}

/**
 * Runs a best-effort side effect; when it still fails after its retries, appends `<what> failed: <why>` to
 * `warnings` instead of failing the workflow. Cancellation is not swallowed.
 */
export async function bestEffort<T>(what: string, run: () => Promise<T>, warnings: string[]): Promise<T | null> {
  try {
    return await run();
  } catch (err) {
    if (isCancellation(err)) throw err;
    warnings.push(`${what} failed: ${failureMessage(err)}`);
    return null;
  }
}

/** Writes the model's lifecycle tags; a failure or a tag name taken by something else becomes a warning. */
export async function tagLifecycle(model: string, warnings: string[]): Promise<void> {
  const outcome = await bestEffort('Git tagging', () => sideEffects.tagInGit({ model }), warnings);
  for (const name of outcome?.conflicts ?? [])
    warnings.push(`Git tag ${name} already exists with other content; left alone`);
}

/**
 * Mirrors a note to W&B; when that fails after its retries, the warning goes into `warnings` and onto the note's
 * experiment (itself best-effort).
 */
export async function mirrorToWandb(note: WandbNote, warnings: string[]): Promise<void> {
  const failed: string[] = [];
  await bestEffort('W&B mirroring', () => sideEffects.noteInWandb(note), failed);
  if (failed.length === 0) return;
  warnings.push(...failed);
  await bestEffort(
    'recording the W&B warning on the experiment',
    () => registry.recordExperimentWarnings({ note, warnings: failed }),
    warnings,
  );
}
