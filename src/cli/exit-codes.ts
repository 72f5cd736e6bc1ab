import { type ErrorCode } from '../domain/errors';

/** Exit codes of `modelctl`: 0 success, 1 unexpected failure, 2 bad input, then one per error family (9: the server of remote mode does not answer). */
export const ExitCode = {
  OK: 0,
  UNEXPECTED: 1,
  INVALID_INPUT: 2,
  NOT_FOUND: 3,
  CONFLICT: 4,
  REFUSED: 5,
  INTEGRITY: 6,
  UNAVAILABLE: 7,
  NO_SPACE: 8,
  SERVER_UNREACHABLE: 9,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const BY_CODE: Record<ErrorCode, ExitCode> = {
  INVALID_INPUT: ExitCode.INVALID_INPUT,
  CONFIGURATION: ExitCode.INVALID_INPUT,
  NOT_FOUND: ExitCode.NOT_FOUND,
  ALREADY_EXISTS: ExitCode.CONFLICT,
  CONFLICT: ExitCode.CONFLICT,
  ILLEGAL_TRANSITION: ExitCode.REFUSED,
  GATE_FAILED: ExitCode.REFUSED,
  APPROVAL_TIMEOUT: ExitCode.REFUSED,
  APPROVAL_REJECTED: ExitCode.REFUSED,
  REFUSED: ExitCode.REFUSED,
  CHECKSUM_MISMATCH: ExitCode.INTEGRITY,
  ARTIFACT_MISSING: ExitCode.INTEGRITY,
  ARTIFACT_INVALID: ExitCode.INTEGRITY,
  TEMPORAL_BINARY_NOT_FOUND: ExitCode.UNAVAILABLE,
  UNAVAILABLE: ExitCode.UNAVAILABLE,
  NO_SPACE: ExitCode.NO_SPACE,
  UNAUTHENTICATED: ExitCode.REFUSED,
  FORBIDDEN: ExitCode.REFUSED,
  RATE_LIMITED: ExitCode.UNAVAILABLE,
  SERVER_UNREACHABLE: ExitCode.SERVER_UNREACHABLE,
};

/** The exit code for an error code; unknown codes are unexpected failures. */
export function exitCodeFor(code: string): ExitCode {
  return (BY_CODE as Record<string, ExitCode>)[code] ?? ExitCode.UNEXPECTED;
}
