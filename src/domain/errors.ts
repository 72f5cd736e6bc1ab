import type { ZodError } from 'zod';

/**
 * Error codes a caller can switch on. The CLI maps each to an exit code (see src/cli/exit-codes.ts);
 * activities turn codes in {@link NON_RETRYABLE_CODES} into non-retryable ApplicationFailures of that type.
 */
export const ErrorCode = {
  INVALID_INPUT: 'INVALID_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  CONFLICT: 'CONFLICT',
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  ARTIFACT_MISSING: 'ARTIFACT_MISSING',
  ARTIFACT_INVALID: 'ARTIFACT_INVALID',
  GATE_FAILED: 'GATE_FAILED',
  APPROVAL_TIMEOUT: 'APPROVAL_TIMEOUT',
  APPROVAL_REJECTED: 'APPROVAL_REJECTED',
  REFUSED: 'REFUSED',
  CONFIGURATION: 'CONFIGURATION',
  TEMPORAL_BINARY_NOT_FOUND: 'TEMPORAL_BINARY_NOT_FOUND',
  UNAVAILABLE: 'UNAVAILABLE',
  NO_SPACE: 'NO_SPACE',
  /** The HTTP API: no token, or a wrong, expired or revoked one. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The HTTP API: the token's role or model scope does not cover the operation. */
  FORBIDDEN: 'FORBIDDEN',
  /** The HTTP API: the token sent more requests than its rate limit allows; retry after the time given. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The CLI in remote mode: the modelctl server at MODELCTL_URL / --url does not answer (refused, unknown host, timeout). */
  SERVER_UNREACHABLE: 'SERVER_UNREACHABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes that describe the caller's input or the registry's state: retrying the same call cannot succeed. */
export const NON_RETRYABLE_CODES: readonly ErrorCode[] = [
  ErrorCode.INVALID_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.ALREADY_EXISTS,
  ErrorCode.ILLEGAL_TRANSITION,
  ErrorCode.CONFLICT,
  ErrorCode.CHECKSUM_MISMATCH,
  ErrorCode.ARTIFACT_MISSING,
  ErrorCode.ARTIFACT_INVALID,
  ErrorCode.GATE_FAILED,
  ErrorCode.APPROVAL_TIMEOUT,
  ErrorCode.APPROVAL_REJECTED,
  ErrorCode.REFUSED,
  ErrorCode.CONFIGURATION,
];

/**
 * The one error family of modelctl: a string `code` to switch on and a message a person can act on. `cause` (ES2022)
 * keeps the error it was mapped from (a Temporal or gRPC failure, a file-system error) for logs and debuggers.
 */
export class ModelctlError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelctlError';
  }
}

/**
 * `err` and its causes, outermost first (ActivityFailure → ApplicationFailure → …), at most `maxDepth` of them so a
 * cyclic chain ends. A value that is not an Error ends the chain (and is not in it).
 */
export function causeChain(err: unknown, maxDepth = 8): Error[] {
  const chain: Error[] = [];
  // isNativeError as well: an Error of another realm (a vm context, a worker) is no `instanceof Error` here.
  for (let current = err; isError(current) && chain.length < maxDepth; current = current.cause) chain.push(current);
  return chain;
}

/**
 * True for an Error of this or another realm: `Object.prototype.toString` says `[object Error]` for native errors of
 * every realm, where `instanceof` only knows this one (and `node:util` is not available to workflow code).
 */
export function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/** The innermost cause of `err` (itself when it has none); a non-Error is returned as it is. */
export function innermostCause(err: unknown): unknown {
  return causeChain(err).at(-1) ?? err;
}

/** True when `err` is a {@link ModelctlError}, optionally with the given code. */
export function isModelctlError(err: unknown, code?: ErrorCode): err is ModelctlError {
  return err instanceof ModelctlError && (code === undefined || err.code === code);
}

/**
 * Turns a zod error into one INVALID_INPUT error whose message names each offending field
 * (dotted path) and what was expected, e.g. `split.control: expected an integer, got 50.5`.
 * @param what what was being parsed, e.g. "promoteModel input" or "--split".
 */
export function invalidInput(what: string, err: ZodError): ModelctlError {
  const parts = err.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `${field}: ${issue.message}`;
  });
  return new ModelctlError(ErrorCode.INVALID_INPUT, `invalid ${what}: ${parts.join('; ')}`, {
    issues: err.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}

/**
 * Parses `value` with `schema`, throwing {@link invalidInput} on failure.
 * The single place where untrusted data becomes a typed value.
 */
export function parseInput<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  value: unknown,
  what: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(what, result.error);
  return result.data;
}
