import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AbTestScheduleInput, ScheduleId } from '../../client/ab-test-schedules';
import { principalOf, requireModelScope } from '../auth';
import type { ApiContext } from '../context';
import { PageQuery, pageOf, paginate } from '../pagination';
import { requireWorkflows } from '../workflow-answers';

const ScheduleParams = z.object({ scheduleId: ScheduleId });
const ScheduleView = z.object({
  scheduleId: z.string(),
  paused: z.boolean(),
  note: z.string().nullable(),
  nextActionTimes: z.array(z.string()),
});
const DoneView = z.object({ scheduleId: z.string(), done: z.string() });

/**
 * Temporal Schedules that start A/B tests: create (the runs' actor is the token's name), list, read, pause,
 * unpause, trigger, delete.
 */
export function abTestScheduleRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/ab-test-schedules',
      {
        config: { access: 'editor' },
        schema: {
          tags: ['ab-tests'],
          body: AbTestScheduleInput,
          response: { 201: z.object({ scheduleId: z.string() }) },
        },
      },
      async (request, reply) => {
        requireModelScope(request, request.body.test.model);
        const scheduleId = await requireWorkflows(ctx).schedules.create({
          ...request.body,
          test: { ...request.body.test, actor: principalOf(request).name },
        });
        return reply.code(201).send({ scheduleId });
      },
    );
    app.get(
      '/ab-test-schedules',
      {
        config: { access: 'viewer' },
        schema: { tags: ['ab-tests'], querystring: PageQuery, response: { 200: pageOf(ScheduleView) } },
      },
      async (request) => paginate(await requireWorkflows(ctx).schedules.list(), (s) => s.scheduleId, request.query),
    );
    app.get(
      '/ab-test-schedules/:scheduleId',
      {
        config: { access: 'viewer' },
        schema: { tags: ['ab-tests'], params: ScheduleParams, response: { 200: ScheduleView } },
      },
      async (request) => requireWorkflows(ctx).schedules.describe(request.params.scheduleId),
    );
    for (const verb of ['pause', 'unpause', 'trigger'] as const) {
      app.post(
        `/ab-test-schedules/:scheduleId/${verb}`,
        {
          config: { access: 'editor' },
          schema: { tags: ['ab-tests'], params: ScheduleParams, response: { 200: DoneView } },
        },
        async (request) => {
          await requireWorkflows(ctx).schedules[verb](request.params.scheduleId);
          return { scheduleId: request.params.scheduleId, done: verb };
        },
      );
    }
    app.delete(
      '/ab-test-schedules/:scheduleId',
      {
        config: { access: 'admin' },
        schema: { tags: ['ab-tests'], params: ScheduleParams, response: { 200: DoneView } },
      },
      async (request) => {
        await requireWorkflows(ctx).schedules.delete(request.params.scheduleId);
        return { scheduleId: request.params.scheduleId, done: 'delete' };
      },
    );
  };
}
