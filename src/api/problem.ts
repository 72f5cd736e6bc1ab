import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCode, isModelctlError } from '../domain/errors';

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** An error answer: RFC 9457 problem details plus modelctl's error `code`. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  instance: z.string(),
});
export type Problem = z.infer<typeof Problem>;

/** HTTP status per error code; docs/api.md ("Conventions") lists the same table. */
const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  CONFIGURATION: 500,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  ILLEGAL_TRANSITION: 422,
  GATE_FAILED: 422,
  APPROVAL_TIMEOUT: 422,
  APPROVAL_REJECTED: 422,
  REFUSED: 422,
  CHECKSUM_MISMATCH: 422,
  ARTIFACT_MISSING: 422,
  ARTIFACT_INVALID: 422,
  RATE_LIMITED: 429,
  TEMPORAL_BINARY_NOT_FOUND: 503,
  UNAVAILABLE: 503,
  // Raised by the remote CLI about a server it cannot reach; a server never answers it, but as a proxy would.
  SERVER_UNREACHABLE: 502,
  NO_SPACE: 507,
};

/** Fastify's own errors that are the caller's: its code → (status, modelctl code). */
const FASTIFY_ERRORS: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, ErrorCode.INVALID_INPUT],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, ErrorCode.INVALID_INPUT],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, ErrorCode.INVALID_INPUT],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, ErrorCode.INVALID_INPUT],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, ErrorCode.INVALID_INPUT],
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

/** The status, code and one-line detail an error answers with. Unexpected errors say only that (no stack, no internals). */
export function problemFor(err: unknown): { status: number; code: string; detail: string } {
  if (isModelctlError(err)) return { status: STATUS[err.code], code: err.code, detail: err.message };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'request';
    const parts = err.validation.map((v) => {
      const field = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return `${field === '' ? '(root)' : field}: ${v.message ?? 'invalid'}`;
    });
    return { status: 400, code: ErrorCode.INVALID_INPUT, detail: `invalid ${where}: ${parts.join('; ')}` };
  }
  const fastifyError = err as Partial<FastifyError>;
  const known = fastifyError.code !== undefined ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known !== undefined) return { status: known[0], code: known[1], detail: fastifyError.message ?? known[1] };
  if (fastifyError.statusCode === 429)
    return { status: 429, code: ErrorCode.RATE_LIMITED, detail: fastifyError.message ?? 'rate limit exceeded' };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500)
    return {
      status: fastifyError.statusCode,
      code: ErrorCode.INVALID_INPUT,
      detail: fastifyError.message ?? 'bad request',
    };
  return { status: 500, code: 'UNEXPECTED', detail: 'unexpected server error; the server log has the request id' };
}

/** Sends `err` as application/problem+json. */
export function sendProblem(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, code, detail } = problemFor(err);
  if (status >= 500) request.log.error({ err }, detail);
  const body: Problem = {
    type: `urn:modelctl:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    instance: request.url,
  };
  return reply.code(status).type(PROBLEM_MEDIA_TYPE).serializer(JSON.stringify).send(body);
}
