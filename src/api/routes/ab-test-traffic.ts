import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assignUnits, Outcome, recordParsedOutcomes } from '../../client/ab-test-traffic';
import { requireTestScope } from '../ab-test-scope';
import type { ApiContext } from '../context';
import { AbTestParams } from './ab-tests';

/** Most units one assignment request and most outcomes one ingestion request may carry. */
export const MAX_UNITS_PER_REQUEST = 10_000;
/** Body limit of the traffic routes: 10,000 unit ids of up to 500 characters fit. */
const TRAFFIC_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

const UnitId = Outcome.shape.unitId;
const AssignmentsBody = z.object({ units: z.array(UnitId).min(1).max(MAX_UNITS_PER_REQUEST) }).strict();
const OutcomesBody = z.object({ outcomes: z.array(Outcome).min(1).max(MAX_UNITS_PER_REQUEST) }).strict();
const AssignmentView = z.object({
  unitId: z.string(),
  arm: z.enum(['control', 'treatment']),
  bucket: z.number().int(),
  /** What to serve the unit now: its arm's version while the test runs, the production version once it ended. */
  version: z.string(),
  testStatus: z.enum(['SCHEDULED', 'RUNNING', 'COMPLETED', 'STOPPED', 'ABORTED']),
  /** True once the test has ended: the split is over and every unit gets the version that serves now. */
  ended: z.boolean(),
});

/**
 * The answers of the traffic routes are built here from typed values, so checking them against their schema again
 * (the zod type provider's serializer does) only costs: on the single-unit assignment it was a twentieth of the
 * request. The schemas still describe the answers in the OpenAPI document.
 */
const plainJson = () => (data: unknown) => JSON.stringify(data);

/**
 * The serving side of an A/B test, without a workflow call: assignments computed from the stored salt and split,
 * and outcome batches recorded into the store (idempotent per unit: recording a unit again replaces its value).
 */
export function abTestTrafficRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/ab-tests/:id/assignments',
      {
        config: { access: 'viewer' },
        serializerCompiler: plainJson,
        bodyLimit: TRAFFIC_BODY_LIMIT_BYTES,
        schema: {
          tags: ['ab-tests'],
          params: AbTestParams,
          body: AssignmentsBody,
          response: { 200: z.object({ items: z.array(AssignmentView) }) },
        },
      },
      async (request) => {
        await requireTestScope(ctx, request, request.params.id);
        return { items: await assignUnits(ctx.registry.store, request.params.id, request.body.units) };
      },
    );
    app.get(
      '/ab-tests/:id/assignments/:unit',
      {
        config: { access: 'viewer' },
        serializerCompiler: plainJson,
        schema: {
          tags: ['ab-tests'],
          params: AbTestParams.extend({ unit: UnitId }),
          response: { 200: AssignmentView },
        },
      },
      async (request) => {
        await requireTestScope(ctx, request, request.params.id);
        const [one] = await assignUnits(ctx.registry.store, request.params.id, [request.params.unit]);
        return one!;
      },
    );
    app.post(
      '/ab-tests/:id/outcomes',
      {
        config: { access: 'editor' },
        serializerCompiler: plainJson,
        bodyLimit: TRAFFIC_BODY_LIMIT_BYTES,
        schema: {
          tags: ['ab-tests'],
          params: AbTestParams,
          body: OutcomesBody,
          response: {
            200: z.object({ recorded: z.number().int(), control: z.number().int(), treatment: z.number().int() }),
          },
        },
      },
      async (request) => {
        await requireTestScope(ctx, request, request.params.id);
        return recordParsedOutcomes(ctx.registry.store, request.params.id, request.body.outcomes);
      },
    );
  };
}
