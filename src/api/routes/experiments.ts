import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateExperimentInput,
  ExperimentId,
  MetricKey,
  MetricPointInput,
  UpdateExperimentInput,
} from '../../domain/experiment';
import { checkedRoutePoints } from '../../domain/metric-batch';
import { VersionRef } from '../../domain/model-version';
import type { ApiContext } from '../context';
import { PageQuery, pageOf, paginate } from '../pagination';
import { ExperimentView } from '../views';

type FastifyValidationResult = ReturnType<FastifySchemaCompiler<unknown>>;

/** Largest metric batch one request may carry. */
export const MAX_METRIC_POINTS_PER_REQUEST = 10_000;

const ExperimentParams = z.object({ id: ExperimentId });
/** Body of `POST /experiments/:id/metrics`. */
export const MetricsBody = z
  .object({
    points: z.array(MetricPointInput).min(1).max(MAX_METRIC_POINTS_PER_REQUEST),
    /** A client's name for this batch: resent under the same key, it is stored once. */
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .strict();

/**
 * The body validation of the metrics route: a body that the exact fast check (plainMetricsBody) accepts is the value
 * MetricsBody returns; anything else goes to `zod`, which answers the one error line, or the value as zod makes it.
 */
function withPlainMetricsBody(httpPart: string | undefined, zod: FastifyValidationResult): FastifyValidationResult {
  if (httpPart !== 'body') return zod;
  return (data) => (plainMetricsBody(data) ? { value: data } : zod(data));
}

/** True for a body MetricsBody accepts unchanged: `points` (1 to the maximum) and, optionally, `idempotencyKey`. */
export function plainMetricsBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Object.getPrototypeOf(body) !== Object.prototype) return false;
  for (const k in body) if (k !== 'points' && k !== 'idempotencyKey') return false;
  const { points, idempotencyKey } = body as Record<string, unknown>;
  if (
    idempotencyKey !== undefined &&
    (typeof idempotencyKey !== 'string' || idempotencyKey.length < 1 || idempotencyKey.length > 200)
  )
    return false;
  return checkedRoutePoints(points, 1, MAX_METRIC_POINTS_PER_REQUEST) !== undefined;
}

const Step = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ResultsQuery = z
  .object({
    maxPoints: z.coerce.number().int().min(2).max(100_000).optional(),
    stepFrom: Step.optional(),
    stepTo: Step.optional(),
  })
  .strict();
const MetricPointView = z.object({ key: z.string(), value: z.number(), step: z.number(), timestamp: z.string() });

/** Experiments: create, list, read with their downsampled series, update, log metric batches, link versions. */
export function experimentRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/experiments',
      {
        config: { access: 'editor' },
        schema: { tags: ['experiments'], body: CreateExperimentInput, response: { 201: ExperimentView } },
      },
      async (request, reply) => reply.code(201).send(await ctx.registry.trackExperiment(request.body)),
    );
    app.get(
      '/experiments',
      {
        config: { access: 'viewer' },
        schema: { tags: ['experiments'], querystring: PageQuery, response: { 200: pageOf(ExperimentView) } },
      },
      async (request) => paginate(await ctx.registry.store.listExperiments(), (e) => e.id, request.query),
    );
    app.get(
      '/experiments/:id',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['experiments'],
          description: 'Every series downsampled to maxPoints, over the step window stepFrom..stepTo when given.',
          params: ExperimentParams,
          querystring: ResultsQuery,
          response: {
            200: z.object({ experiment: ExperimentView, series: z.record(z.string(), z.array(MetricPointView)) }),
          },
        },
      },
      async (request) => {
        const { maxPoints, stepFrom, stepTo } = request.query;
        return ctx.registry.getExperimentResults(request.params.id, { maxPoints, stepFrom, stepTo });
      },
    );
    app.patch(
      '/experiments/:id',
      {
        config: { access: 'editor' },
        schema: {
          tags: ['experiments'],
          params: ExperimentParams,
          body: UpdateExperimentInput,
          response: { 200: ExperimentView },
        },
      },
      async (request) => ctx.registry.updateExperiment(request.params.id, request.body),
    );
    app.post(
      '/experiments/:id/metrics',
      {
        config: { access: 'editor' },
        // Fastify compiles each part (params, body) with that part's zod schema; the option's type names the route's.
        validatorCompiler: (route) =>
          withPlainMetricsBody(
            route.httpPart,
            validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]),
          ),
        schema: {
          tags: ['experiments'],
          params: ExperimentParams,
          body: MetricsBody,
          response: { 200: z.object({ stored: z.number().int() }) },
        },
      },
      async (request) => {
        const { points, idempotencyKey } = request.body;
        return { stored: await ctx.registry.logMetrics(request.params.id, points, { idempotencyKey }) };
      },
    );
    app.get(
      '/experiments/:id/metrics/:key',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['experiments'],
          params: ExperimentParams.extend({ key: MetricKey }),
          querystring: z
            .object({
              limit: z.coerce.number().int().min(1).max(10_000).default(1000),
              cursor: z.string().max(512).optional(),
            })
            .strict(),
        },
      },
      async (request) =>
        ctx.registry.store.metricHistory({
          experimentId: request.params.id,
          key: request.params.key,
          limit: request.query.limit,
          after: request.query.cursor,
        }),
    );
    app.post(
      '/experiments/:id/versions',
      {
        config: { access: 'editor' },
        schema: {
          tags: ['experiments'],
          params: ExperimentParams,
          body: VersionRef,
          response: { 200: ExperimentView },
        },
      },
      async (request) => ctx.registry.linkVersion(request.params.id, request.body),
    );
  };
}
