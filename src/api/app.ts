import swagger from '@fastify/swagger';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Role } from '../domain/api-token';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { bearerSecretHash, registerAuth } from './auth';
import type { ApiContext } from './context';
import { registerDashboard } from './dashboard/static-files';
import { UiSessions } from './dashboard/ui-sessions';
import { registerJsonBody } from './json-body';
import { API_PREFIX, OPENAPI_PATH } from './paths';
import { sendProblem } from './problem';
import { abTestScheduleRoutes } from './routes/ab-test-schedules';
import { abTestTrafficRoutes } from './routes/ab-test-traffic';
import { abTestRoutes } from './routes/ab-tests';
import { guardRoutes } from './routes/guards';
import { healthRoutes } from './routes/health';
import { evaluationRoutes } from './routes/evaluations';
import { experimentRoutes } from './routes/experiments';
import { modelRoutes } from './routes/models';
import { observationRoutes } from './routes/observations';
import { promotionRoutes } from './routes/promotions';
import { reportRoutes } from './routes/reports';
import { rollbackRoutes } from './routes/rollbacks';
import { tokenRoutes } from './routes/tokens';
import { uploadRoutes } from './routes/uploads';
import { uiSessionRoutes } from './routes/ui-session';
import { dashboardRoutes } from './routes/dashboard';

export { API_PREFIX, OPENAPI_PATH } from './paths';

/** Limits of one server; every field has a default. */
export interface ApiLimits {
  /** Largest JSON body in bytes (uploads stream and have none); default 1 MiB. */
  bodyLimitBytes?: number;
  /** Requests per token (per client address without one) per window; default {@link DEFAULT_RATE_LIMIT_PER_MINUTE}. */
  rateLimitMax?: number;
  /** The rate-limit window in milliseconds; default 60,000. */
  rateLimitWindowMs?: number;
  /** A request whose body has not arrived in this many milliseconds is answered 408; default 30,000. */
  requestTimeoutMs?: number;
}

/**
 * Requests a token may send per minute unless `modelctl serve --rate-limit` says otherwise: twice the 10,000 a second
 * one serving system asks for single-unit assignments, so the default never throttles serving, while a client stuck in
 * a loop still meets a bound.
 */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 1_200_000;

/** Options of {@link buildApi}. */
export interface BuildApiOptions extends ApiLimits {
  /** Fastify's pino logger options; default off (the serve command turns it on). */
  logger?: FastifyServerOptions['logger'];
  /** Serve HTTPS with this PEM certificate (chain) and private key instead of plain HTTP. */
  tls?: { cert: Buffer; key: Buffer };
  /** The built dashboard served at `/`; default the package's `dist/web`. */
  dashboardDir?: string;
}

/**
 * Fastify's request log in one line a request instead of two: "incoming request" is not written and "request
 * completed" (or "request errored") carries the request as well (method, URL, client address) besides the status and
 * the response time. The second line cost a tenth of a single-unit assignment request.
 */
class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error)
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** The rate-limit key of a request: its token's hash (a secret never sits in memory as a map key), else its address. */
function rateLimitKey(request: Parameters<typeof bearerSecretHash>[0]): string {
  return bearerSecretHash(request) ?? `ip:${request.ip}`;
}

/** The phrase each operation's description opens with in the OpenAPI document; the auth walk test reads it. */
export function accessPhrase(access: Role | 'public' | undefined): string {
  return access === 'public' ? 'Public: no token.' : `Role: ${access ?? 'none declared'} or above.`;
}

/** jsonSchemaTransform plus the role a route needs, written into the operation (public ones need no security). */
const documentAccess: typeof jsonSchemaTransform = (input) => {
  const out = jsonSchemaTransform(input);
  const access = (input.route.config as { access?: Role | 'public' } | undefined)?.access;
  const schema = out.schema as Record<string, unknown>;
  const description = typeof schema.description === 'string' ? ` ${schema.description}` : '';
  return {
    ...out,
    schema: {
      ...schema,
      description: `${accessPhrase(access)}${description}`,
      ...(access === 'public' ? { security: [] } : {}),
    },
  };
};

/**
 * The HTTP API as a Fastify instance, not yet listening: the OpenAPI document, the probes and one plugin per
 * resource under {@link API_PREFIX}, the dashboard at `/`, every route behind the deny-by-default auth hook, every
 * error as application/problem+json. Routes parse, call one library function and answer.
 */
export async function buildApi(ctx: ApiContext, options: BuildApiOptions = {}): Promise<FastifyInstance> {
  const serverOptions = {
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    requestIdHeader: 'x-request-id',
    logController: new OneLineRequestLog(),
    return503OnClosing: true,
    https: options.tls,
  };
  // With `https` Fastify serves TLS; the routes see the same request and reply types either way.
  const app = Fastify(serverOptions as FastifyServerOptions).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, request, reply) => sendProblem(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(new ModelctlError(ErrorCode.NOT_FOUND, `no route ${request.method} ${request.url}`), request, reply),
  );
  // Callback hooks, not async ones: every request passes them, and a promise per hook shows on the serving path.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  registerJsonBody(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'modelctl', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: documentAccess,
    // Emits the shared definitions the operations point at (the recursive JsonValue), so every $ref resolves.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(rateLimit, {
    max: options.rateLimitMax ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
    timeWindow: options.rateLimitWindowMs ?? 60_000,
    keyGenerator: rateLimitKey,
    // Probes must answer whatever a client does.
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz',
    errorResponseBuilder: (_request, context) =>
      new ModelctlError(
        ErrorCode.RATE_LIMITED,
        `rate limit of ${context.max} requests per ${context.after} exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`,
      ),
  });
  const sessions = new UiSessions();
  registerAuth(app, ctx.tokens, sessions);

  app.get(OPENAPI_PATH, { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes(ctx));
  await app.register(
    async (api) => {
      await api.register(tokenRoutes(ctx));
      await api.register(modelRoutes(ctx));
      await api.register(evaluationRoutes(ctx));
      await api.register(reportRoutes(ctx));
      await api.register(experimentRoutes(ctx));
      await api.register(observationRoutes(ctx));
      await api.register(uploadRoutes(ctx));
      await api.register(promotionRoutes(ctx));
      await api.register(rollbackRoutes(ctx));
      await api.register(guardRoutes(ctx));
      await api.register(abTestRoutes(ctx));
      await api.register(abTestTrafficRoutes(ctx));
      await api.register(abTestScheduleRoutes(ctx));
      await api.register(uiSessionRoutes(sessions, ctx.tokens));
      await api.register(dashboardRoutes(ctx));
    },
    { prefix: API_PREFIX },
  );
  registerDashboard(app, options.dashboardDir);
  return app;
}
