/**
 * Every workflow modelctl runs, by contract: the worker's description, the replay test and the check in
 * src/workflows/index.ts read this one list. A new workflow adds its contract here (see docs/architecture.md,
 * "Adding a workflow").
 */
import { abTestContract } from './ab-test.contract';
import { promoteModelContract } from './promote-model.contract';
import { rollbackContract } from './rollback.contract';
import { guardModelContract } from './guard-model.contract';
import type { WorkflowOf } from './contract';

export const WORKFLOWS = [promoteModelContract, abTestContract, rollbackContract, guardModelContract] as const;

/** What the workflow bundle must export: each registered type under its name, with its contract's signature. */
export type RegisteredWorkflows = { [C in (typeof WORKFLOWS)[number] as C['workflowType']]: WorkflowOf<C> };
