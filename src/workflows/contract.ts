/**
 * The shape every workflow contract (`<name>.contract.ts`) has. A contract names a workflow for everyone who starts,
 * queries or replays it, without pulling in its code: the client, the CLI, the HTTP API, the worker and the tests
 * import the contract, only the worker's bundle imports the workflow.
 */
export interface WorkflowContract<Type extends string, Input, Result> {
  /** The workflow type: the exported function's name in src/workflows/index.ts. Recorded in every history. */
  readonly workflowType: Type;
  /** The value of the `ModelctlKind` search attribute its runs carry (`temporal workflow list --query`). */
  readonly kind: string;
  /** The recorded history the replay test replays: test/fixtures/histories/<history>.json. */
  readonly history: string;
  /** What it does, in a few words, for the worker's description. */
  readonly summary: string;
  /** Type-only: the workflow function's signature (never set; read with {@link WorkflowOf}). */
  readonly signature?: (input: Input) => Promise<Result>;
}

/** The workflow function a contract describes: `client.workflow.start<WorkflowOf<typeof c>>(c.workflowType, …)`. */
export type WorkflowOf<C> = C extends WorkflowContract<string, infer I, infer R> ? (input: I) => Promise<R> : never;

/** Declares a contract with its input and result types (the identity at run time). */
export function defineWorkflowContract<Input, Result>() {
  return <Type extends string>(contract: Omit<WorkflowContract<Type, Input, Result>, 'signature'>) =>
    contract as WorkflowContract<Type, Input, Result>;
}
