import { ApplicationFailure } from '@temporalio/workflow';
import type { ZodType } from 'zod';
import { invalidInput } from '../domain/errors';

/**
 * Parses a workflow's one JSON input. Bad input fails the workflow at once (non-retryable, type INVALID_INPUT)
 * with a message naming each field, instead of retrying a workflow task forever.
 */
export function parseWorkflowInput<T>(schema: ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const err = invalidInput(what, result.error);
  throw ApplicationFailure.nonRetryable(err.message, err.code, err.details);
}

/** A non-retryable failure of the workflow with a ModelctlError-style code as its type. */
export function refuse(code: string, message: string, details?: unknown): never {
  throw ApplicationFailure.nonRetryable(message, code, details);
}
