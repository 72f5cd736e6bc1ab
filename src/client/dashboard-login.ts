import { ErrorCode, ModelctlError, type ErrorCode as Code } from '../domain/errors';

/** The route of `modelctl serve` that issues a one-time dashboard login code for the calling token. */
const LOGIN_CODES_PATH = '/api/v1/ui/login-codes';

/** A one-time dashboard login URL: open it within a minute, once. */
export interface LoginUrl {
  url: string;
  /** UTC ISO 8601. */
  expiresAt: string;
}

/**
 * Asks the server at `server` (`http(s)://host:port`) for a one-time login code for `token` and builds the URL
 * that exchanges it for a dashboard session acting as that token (the code rides in the fragment, which browsers
 * do not send to servers or proxies).
 * @throws ModelctlError UNAVAILABLE (server unreachable or not a modelctl server), or the server's refusal with its
 *   own code (UNAUTHENTICATED for a wrong, expired or revoked token)
 */
export async function requestLoginUrl(server: string, token: string): Promise<LoginUrl> {
  const base = server.replace(/\/+$/, '');
  let answer: Response;
  try {
    answer = await fetch(`${base}${LOGIN_CODES_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new ModelctlError(ErrorCode.UNAVAILABLE, `cannot reach the modelctl server at ${base}: ${cause}`);
  }
  const body = (await answer.json().catch(() => null)) as Record<string, unknown> | null;
  if (answer.status === 201 && typeof body?.loginPath === 'string' && typeof body.expiresAt === 'string')
    return { url: `${base}${body.loginPath}`, expiresAt: body.expiresAt };
  if (typeof body?.code === 'string' && typeof body.detail === 'string' && body.code in ErrorCode)
    throw new ModelctlError(body.code as Code, `${base}: ${body.detail}`);
  throw new ModelctlError(
    ErrorCode.UNAVAILABLE,
    `${base} answered ${answer.status} to ${LOGIN_CODES_PATH}: is it a modelctl server?`,
  );
}
