import { ApplicationFailure } from '@temporalio/activity';
import { isModelctlError, NON_RETRYABLE_CODES } from '../domain/errors';

/**
 * Runs an activity body and maps a ModelctlError whose code cannot succeed on retry (bad input, illegal
 * transition, not found…) to a non-retryable ApplicationFailure whose type is the code; anything else stays
 * retryable so Temporal retries transient faults (database busy, network) with backoff.
 */
export async function asActivity<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (isModelctlError(err) && NON_RETRYABLE_CODES.includes(err.code)) {
      throw ApplicationFailure.nonRetryable(err.message, err.code, err.details ?? null);
    }
    throw err;
  }
}
