import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateExperimentInput,
  ExperimentId,
  MetricKey,
  MetricPointInput,
  UpdateExperimentInput,
} from '../../domain/experiment';
import { VersionRef } from '../../domain/model-version';
import type { ApiContext } from '../context';
import { PageQuery, pageOf, paginate } from '../pagination';
import { ExperimentView } from '../views';

/** Largest metric batch one request may carry. */
export const MAX_METRIC_POINTS_PER_REQUEST = 10_000;

const ExperimentParams = z.object({ id: ExperimentId });
const MetricsBody = z
  .object({
    points: z.array(MetricPointInput).min(1).max(MAX_METRIC_POINTS_PER_REQUEST),
    /** A client's name for this batch: resent under the same key, it is stored once. */
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .strict();
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
