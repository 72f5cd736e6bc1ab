import { defaultPayloadConverter, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { REGISTRY_ID_HEADER } from '../domain/registry-identity';

/** The `registryId` of a workflow's input object, or undefined (no object, or a run started without one). */
function registryIdOf(args: readonly unknown[]): string | undefined {
  const input = args[0];
  if (typeof input !== 'object' || input === null) return undefined;
  const id = (input as { registryId?: unknown }).registryId;
  return typeof id === 'string' ? id : undefined;
}

/** The first argument with `registryId` set, when it is an object that has none. */
function withRegistryId(args: readonly unknown[], id: string): unknown[] {
  const [first, ...rest] = args;
  if (typeof first !== 'object' || first === null || Array.isArray(first) || 'registryId' in first) return [...args];
  return [{ ...first, registryId: id }, ...rest];
}

/**
 * Carries a run's registry identity (its input's `registryId`) to everything it starts: a header on every activity
 * (the worker's activity interceptor compares it with its own store's identity), and the input of every child
 * workflow and of the next run after continueAsNew. A run without one (started before identities existed, or by
 * hand) adds nothing, so its commands are exactly those of its recorded history.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let registryId: string | undefined;
  const header = () => ({ [REGISTRY_ID_HEADER]: defaultPayloadConverter.toPayload(registryId) });
  return {
    inbound: [
      {
        execute(input, next) {
          registryId = registryIdOf(input.args);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity(input, next) {
          return next(registryId === undefined ? input : { ...input, headers: { ...input.headers, ...header() } });
        },
        scheduleLocalActivity(input, next) {
          return next(registryId === undefined ? input : { ...input, headers: { ...input.headers, ...header() } });
        },
        startChildWorkflowExecution(input, next) {
          if (registryId === undefined) return next(input);
          const args = withRegistryId(input.options.args ?? [], registryId);
          return next({ ...input, options: { ...input.options, args } });
        },
        continueAsNew(input, next) {
          if (registryId === undefined) return next(input);
          return next({ ...input, args: withRegistryId(input.args, registryId) });
        },
      },
    ],
  };
};
