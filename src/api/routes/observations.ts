import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_OBSERVATIONS_PER_BATCH } from '../../domain/observation';
import { requireModelScope } from '../auth';
import type { ApiContext } from '../context';

/** A batch of 100,000 observations of ~120 bytes each, with room for windows. */
const OBSERVATIONS_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

// Each observation is validated by the store's batch schema (index and field named); here only the envelope.
const ObservationsBody = z
  .object({ observations: z.array(z.unknown()).min(1).max(MAX_OBSERVATIONS_PER_BATCH) })
  .strict();
const Recorded = z.object({ recorded: z.number().int(), buckets: z.number().int() });

/** Production observations: the batch endpoint serving systems post to (what guards read). */
export function observationRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/observations',
      {
        bodyLimit: OBSERVATIONS_BODY_LIMIT_BYTES,
        config: { access: 'editor' },
        schema: { tags: ['observations'], body: ObservationsBody, response: { 200: Recorded } },
      },
      async (request) => {
        const models = new Set(
          request.body.observations
            .map((o) => (o as { model?: unknown } | null)?.model)
            .filter((m) => typeof m === 'string'),
        );
        for (const model of models) requireModelScope(request, model);
        return ctx.registry.recordObservations(request.body.observations as never);
      },
    );
  };
}
