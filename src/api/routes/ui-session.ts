import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RoleSchema } from '../../domain/api-token';
import { ErrorCode, ModelctlError } from '../../domain/errors';
import { principalOf } from '../auth';
import { SESSION_COOKIE, readCookie, setSessionCookies } from '../dashboard/cookies';
import { SESSION_TTL_MS, type UiSessions } from '../dashboard/ui-sessions';
import type { ApiTokens } from '../../client/api-tokens';

/** Where the dashboard's login page reads the code from: the fragment, which browsers never send to a server. */
export const LOGIN_PATH = '/login#code=';

const LoginCodeView = z.object({ code: z.string(), expiresAt: z.string(), loginPath: z.string() });
const SessionBody = z.object({ code: z.string().min(1).max(128) }).strict();
const SessionView = z.object({
  name: z.string(),
  role: RoleSchema,
  modelScope: z.string().nullable(),
  expiresAt: z.string(),
});

/** Dashboard login: a token asks for a one-time code, a browser exchanges it for a session cookie, logout ends it. */
export function uiSessionRoutes(sessions: UiSessions, tokens: ApiTokens): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/ui/login-codes',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['dashboard'],
          description: 'A one-time login code for the calling token, valid 60 s (what modelctl ui opens).',
          response: { 201: LoginCodeView },
        },
      },
      async (request, reply) => {
        const issued = sessions.issueCode(principalOf(request).name);
        return reply.code(201).send({ ...issued, loginPath: `${LOGIN_PATH}${issued.code}` });
      },
    );
    app.post(
      '/ui/session',
      {
        config: { access: 'public' },
        schema: {
          tags: ['dashboard'],
          description: 'Exchanges a login code for a session: an HttpOnly SameSite=Strict cookie and a CSRF cookie.',
          body: SessionBody,
          response: { 200: SessionView },
        },
      },
      async (request, reply) => {
        const opened = sessions.redeem(request.body.code);
        if (opened === null)
          throw new ModelctlError(
            ErrorCode.UNAUTHENTICATED,
            'the login code is unknown, used or expired: run modelctl ui for a new one',
          );
        // The token may have been revoked or have expired within the code's minute.
        const token = await tokens.authenticateName(opened.session.tokenName);
        if (typeof token === 'string') {
          sessions.end(opened.id);
          throw new ModelctlError(ErrorCode.UNAUTHENTICATED, `the token behind the login code is ${token}`);
        }
        setSessionCookies(reply, {
          session: opened.id,
          csrf: opened.session.csrfToken,
          maxAgeSeconds: SESSION_TTL_MS / 1000,
        });
        return {
          name: token.name,
          role: token.role,
          modelScope: token.modelScope,
          expiresAt: opened.session.expiresAt,
        };
      },
    );
    app.delete(
      '/ui/session',
      {
        config: { access: 'viewer' },
        schema: { tags: ['dashboard'], description: 'Logout: ends the session and clears its cookies.' },
      },
      async (request, reply) => {
        const id = readCookie(request, SESSION_COOKIE);
        if (id !== undefined) sessions.end(id);
        setSessionCookies(reply, { session: '', csrf: '', maxAgeSeconds: 0 });
        return reply.code(204).send();
      },
    );
  };
}
