import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../../generated/api';

/** The cookie and header of the double-submit CSRF token (the server's src/api/dashboard/cookies.ts). */
const CSRF_COOKIE = 'modelctl_csrf';
const CSRF_HEADER = 'x-csrf-token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A refusal of the API: its problem+json code, status and one-line detail. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

function csrfToken(): string | undefined {
  for (const pair of document.cookie.split(';')) {
    const [name, value] = pair.trim().split('=');
    if (name === CSRF_COOKIE && value !== undefined && value !== '') return value;
  }
  return undefined;
}

const csrf: Middleware = {
  onRequest({ request }) {
    const token = csrfToken();
    if (!SAFE.has(request.method) && token !== undefined) request.headers.set(CSRF_HEADER, token);
    return request;
  },
};

/** How long after the page opened a response that index.html asked for early may still be used. */
const EARLY_MS = 10_000;

/**
 * A GET that index.html's inline script already started (same path and query) is answered with that response, once
 * and only while the page is new: the first requests of a page then overlap the loading of this bundle. Everything
 * else goes to the network.
 */
function fetchOrEarly(input: Request, init?: RequestInit): Promise<Response> {
  const early = (window as { modelctlEarly?: Record<string, Promise<Response>> }).modelctlEarly;
  if (early !== undefined && input.method === 'GET') {
    const url = new URL(input.url);
    const key = url.origin === location.origin ? url.pathname + url.search : '';
    const answer = early[key];
    if (answer !== undefined) {
      delete early[key];
      if (performance.now() < EARLY_MS) return answer;
    }
  }
  return fetch(input, init);
}

/** The HTTP API typed from its OpenAPI document: a changed route breaks this build. Same origin, session cookie. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin', fetch: fetchOrEarly });
api.use(csrf);

/** The data of an answer, or an ApiError built from its problem+json. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error === undefined && result.response.ok) return result.data as T;
  const problem = (result.error ?? {}) as { code?: string; detail?: string };
  throw new ApiError(
    result.response.status,
    problem.code ?? 'UNEXPECTED',
    problem.detail ?? `${result.response.status} ${result.response.statusText}`,
  );
}

/** The JSON a route answers with status 200, from the generated types: `Answer<'/api/v1/whoami', 'get'>`. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
