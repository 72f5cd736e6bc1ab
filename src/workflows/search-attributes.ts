import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';

/** Custom search attributes, so runs can be filtered in the Temporal UI and `temporal workflow list --query`. */
export const ModelNameKey = defineSearchAttributeKey('ModelName', SearchAttributeType.KEYWORD);
export const ModelVersionKey = defineSearchAttributeKey('ModelVersion', SearchAttributeType.KEYWORD);
export const WorkflowKindKey = defineSearchAttributeKey('ModelctlKind', SearchAttributeType.KEYWORD);

/** All of them, for registering on a server (`temporal operator search-attribute create` does the same). */
export const SEARCH_ATTRIBUTES = [ModelNameKey, ModelVersionKey, WorkflowKindKey];

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
