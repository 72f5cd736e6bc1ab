import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EvalSetName, EvaluationSampleInput, MAX_EVALUATION_SAMPLES_PER_REQUEST } from '../../domain/evaluation';
import type { ApiContext } from '../context';
import { VersionParams } from '../params';

/** 100,000 samples with unit ids and metric names of up to 200 characters each fit. */
const EVALUATION_BODY_LIMIT_BYTES = 48 * 1024 * 1024;

const EvaluationBody = z
  .object({ samples: z.array(EvaluationSampleInput).min(1).max(MAX_EVALUATION_SAMPLES_PER_REQUEST) })
  .strict();
const Attached = z.object({
  model: z.string(),
  version: z.string(),
  evalSet: z.string(),
  samples: z.number().int(),
  metrics: z.array(z.string()),
});
const EvaluationSummaryView = z.object({
  evalSet: z.string(),
  metric: z.string(),
  units: z.number().int(),
  mean: z.number(),
  sd: z.number().nullable(),
});

/** Evaluation samples of a version: attach a set (replacing what it held), read the summaries per set and metric. */
export function evaluationRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.put(
      '/models/:model/versions/:version/evaluations/:evalSet',
      {
        bodyLimit: EVALUATION_BODY_LIMIT_BYTES,
        config: { access: 'editor' },
        schema: {
          tags: ['models'],
          params: VersionParams.extend({ evalSet: EvalSetName }),
          body: EvaluationBody,
          response: { 200: Attached },
        },
      },
      async (request) => {
        const { model, version, evalSet } = request.params;
        // The library checks each (unit, metric) once, naming the index of the repeat.
        const r = await ctx.registry.attachEvaluation({ model, version, evalSet, samples: request.body.samples });
        return { model, version, ...r };
      },
    );
    app.get(
      '/models/:model/versions/:version/evaluations',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['models'],
          params: VersionParams,
          response: { 200: z.object({ items: z.array(EvaluationSummaryView) }) },
        },
      },
      async (request) => ({ items: await ctx.registry.evaluationSummaries(request.params) }),
    );
  };
}
