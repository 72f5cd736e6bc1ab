import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { ModelNameKey, ModelVersionKey, WorkflowKindKey } from '../domain/search-attributes';

/** Sets the run's search attributes when the starter did not (e.g. `temporal workflow start` without them). */
export function tagRun(kind: string, model: string, version: string | null): void {
  const current = workflowInfo().typedSearchAttributes;
  if (current.get(ModelNameKey) !== undefined) return;
  upsertSearchAttributes([
    { key: WorkflowKindKey, value: kind },
    { key: ModelNameKey, value: model },
    ...(version === null ? [] : [{ key: ModelVersionKey, value: version }]),
  ]);
}
