import type { FastifyReply, FastifyRequest } from 'fastify';

/** The HttpOnly cookie that carries the dashboard session id. */
export const SESSION_COOKIE = 'modelctl_session';
/** The cookie the dashboard's script reads and echoes in {@link CSRF_HEADER} (double-submit). */
export const CSRF_COOKIE = 'modelctl_csrf';
/** The header every cookie-authenticated request that changes something must carry. */
export const CSRF_HEADER = 'x-csrf-token';

/** The value of cookie `name` in the request's Cookie header, if any (RFC 6265 §5.4 pairs, no decoding needed). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * Sets the session and CSRF cookies: both SameSite=Strict on path `/`; the session one HttpOnly so no script reads
 * it, the CSRF one readable by the dashboard's script; Secure over https. `maxAgeSeconds` 0 clears them (logout).
 */
export function setSessionCookies(
  reply: FastifyReply,
  values: { session: string; csrf: string; maxAgeSeconds: number },
): void {
  // Behind a TLS-terminating proxy the browser sees https; a cookie marked Secure is then never sent in clear.
  const secure = reply.request.protocol === 'https' ? '; Secure' : '';
  const common = `Path=/; SameSite=Strict; Max-Age=${values.maxAgeSeconds}${secure}`;
  reply.header('set-cookie', [
    `${SESSION_COOKIE}=${values.session}; ${common}; HttpOnly`,
    `${CSRF_COOKIE}=${values.csrf}; ${common}`,
  ]);
}
