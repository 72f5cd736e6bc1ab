import type { FastifyInstance, FastifyRequest } from 'fastify';
import { roleAllows, scopeMatches, type ApiTokenRecord, type Role } from '../domain/api-token';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { hashSecret, type ApiTokens, type TokenRefusal } from '../client/api-tokens';
import { CSRF_HEADER, SESSION_COOKIE, readCookie } from './dashboard/cookies';
import { csrfMatches, type UiSessions } from './dashboard/ui-sessions';

declare module 'fastify' {
  /** What a route declares in its `config`: the smallest role it needs, or `public` for the probes. */
  interface FastifyContextConfig {
    access?: Role | 'public';
  }
  interface FastifyRequest {
    /** The token the request authenticated with; null only on public routes. */
    principal: ApiTokenRecord | null;
  }
}

const REFUSALS: Record<TokenRefusal, string> = {
  missing: 'this operation needs a token: send Authorization: Bearer <token>',
  unknown: 'the token is not valid',
  expired: 'the token has expired',
  revoked: 'the token has been revoked',
};

/** Methods that change nothing: a cookie-authenticated request with any other method must carry the CSRF header. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const secretHashes = new WeakMap<FastifyRequest, string>();

/**
 * {@link hashSecret} of a request's bearer secret, computed once per request (the rate limiter keys by it and the
 * token lookup needs it); undefined without a secret.
 */
export function bearerSecretHash(request: FastifyRequest): string | undefined {
  const known = secretHashes.get(request);
  if (known !== undefined) return known;
  const secret = bearerToken(request);
  if (secret === undefined || secret === '') return undefined;
  const hash = hashSecret(secret);
  secretHashes.set(request, hash);
  return hash;
}

/** The bearer secret of a request, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

/**
 * Who a request acts as: the bearer token when an Authorization header is present, else the token behind the
 * dashboard session cookie, whose requests that change something must echo the session's CSRF token in
 * {@link CSRF_HEADER} (a page on another site can make the browser send the cookie, never read the token).
 * @throws ModelctlError UNAUTHENTICATED (no credentials, a bad token, an ended session), FORBIDDEN (CSRF)
 */
async function identify(request: FastifyRequest, tokens: ApiTokens, sessions: UiSessions): Promise<ApiTokenRecord> {
  const sessionId = request.headers.authorization === undefined ? readCookie(request, SESSION_COOKIE) : undefined;
  if (sessionId === undefined) {
    const found = await tokens.authenticate(bearerToken(request), bearerSecretHash(request));
    if (typeof found === 'string') throw new ModelctlError(ErrorCode.UNAUTHENTICATED, REFUSALS[found]);
    return found;
  }
  const session = sessions.find(sessionId);
  if (session === null)
    throw new ModelctlError(
      ErrorCode.UNAUTHENTICATED,
      'the dashboard session has ended or expired: log in again (modelctl ui)',
    );
  const found = await tokens.authenticateName(session.tokenName);
  if (typeof found === 'string') throw new ModelctlError(ErrorCode.UNAUTHENTICATED, REFUSALS[found]);
  if (!SAFE_METHODS.has(request.method) && !csrfMatches(session, headerValue(request, CSRF_HEADER)))
    throw new ModelctlError(
      ErrorCode.FORBIDDEN,
      `a dashboard request that changes something must send the session's CSRF token in ${CSRF_HEADER}`,
    );
  return found;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Deny by default: every matched route passes this hook. A route that declares no `access` is refused (a route
 * without a role is a bug, and the auth walk test finds it); `public` routes skip authentication; the others need a
 * token (a bearer token, or a dashboard session acting as one) of at least the declared role whose model scope
 * covers the `:model` path parameter. Unmatched URLs fall through to the 404 answer.
 */
export function registerAuth(app: FastifyInstance, tokens: ApiTokens, sessions: UiSessions): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === 'public') return;
    if (access === undefined)
      throw new ModelctlError(ErrorCode.FORBIDDEN, `${request.routeOptions.url ?? request.url} declares no role`);
    const found = await identify(request, tokens, sessions);
    if (!roleAllows(found.role, access))
      throw new ModelctlError(
        ErrorCode.FORBIDDEN,
        `token ${found.name} has role ${found.role}; this operation needs ${access} or above`,
      );
    request.principal = found;
    const model = (request.params as Record<string, unknown> | undefined)?.model;
    if (typeof model === 'string') requireModelScope(request, model);
  });
}

/** The authenticated token of a request on a non-public route (the actor of what the request does). */
export function principalOf(request: FastifyRequest): ApiTokenRecord {
  if (request.principal === null) throw new ModelctlError(ErrorCode.UNAUTHENTICATED, 'this operation needs a token');
  return request.principal;
}

/**
 * Refuses a request whose token's model scope does not cover `model` (for routes that learn the model from a body
 * or a stored record rather than from a `:model` path parameter).
 * @throws ModelctlError FORBIDDEN naming the scope and the model
 */
export function requireModelScope(request: FastifyRequest, model: string): void {
  const principal = principalOf(request);
  if (!scopeMatches(principal.modelScope, model))
    throw new ModelctlError(
      ErrorCode.FORBIDDEN,
      `token ${principal.name} is limited to models matching ${principal.modelScope}, not ${model}`,
    );
}
