import { ModelctlError, type ErrorCode } from '../../src/domain/errors';

/** Awaits `promise`, expecting a ModelctlError with `code` whose message matches `message`; returns the error. */
export async function expectModelctlError(
  promise: Promise<unknown>,
  code: ErrorCode,
  message?: RegExp | string,
): Promise<ModelctlError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ModelctlError);
  const error = caught as ModelctlError;
  expect(error.code).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}
