import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes, so runs can be filtered in the Temporal UI and `temporal workflow list --query`. */
export const ModelNameKey = defineSearchAttributeKey('ModelName', SearchAttributeType.KEYWORD);
export const ModelVersionKey = defineSearchAttributeKey('ModelVersion', SearchAttributeType.KEYWORD);
export const WorkflowKindKey = defineSearchAttributeKey('ModelctlKind', SearchAttributeType.KEYWORD);

/** All of them, for registering on a server (`temporal operator search-attribute create` does the same). */
export const SEARCH_ATTRIBUTES = [ModelNameKey, ModelVersionKey, WorkflowKindKey];
