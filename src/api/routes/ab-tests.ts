import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AbTestFields, AbTestId, distinctArms, guardNeedsAutoPromote } from '../../domain/ab-test';
import { ModelName } from '../../domain/names';
import { abTestStatus } from '../../client/ab-test-status';
import { defaultAbTestId } from '../../workflows/ab-test.contract';
import { scopeMatches } from '../../domain/api-token';
import { requireTestScope } from '../ab-test-scope';
import { principalOf, requireModelScope } from '../auth';
import type { ApiContext } from '../context';
import { PageQuery, pageOf, paginate } from '../pagination';
import { API_PREFIX } from '../paths';
import { AbTestRecordView } from '../views';
import { answerStart, requireWorkflows, RunView, runView, StartedRunView, WaitQuery } from '../workflow-answers';

/** An A/B test as a body: the workflow's input without the actor (the token); `id` defaults to model-treatment-time. */
const AbTestBody = AbTestFields.omit({ actor: true })
  .refine(...distinctArms)
  .refine(...guardNeedsAutoPromote);
const ControlBody = z
  .object({ reason: z.string().max(2000).optional() })
  .strict()
  .nullish();
export const AbTestParams = z.object({ id: AbTestId });

const AbTestStateView = z.object({
  id: z.string(),
  status: z.string(),
  startedAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  stopRequestedBy: z.string().nullable(),
  abortRequestedBy: z.string().nullable(),
});
const AbTestStatusView = RunView.extend({ interim: z.record(z.string(), z.unknown()).nullable() });

const statusUrl = (id: string) => `${API_PREFIX}/ab-tests/${id}`;

/** The abTest workflow: start, list, status (with an interim analysis), stop and abort; actions name the token. */
export function abTestRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    const status = async (id: string, waitMs: number) => {
      const services = requireWorkflows(ctx);
      const run = await abTestStatus(services.lifecycle, ctx.registry.store, id, waitMs);
      return { ...runView(services, run, statusUrl(id)), interim: run.interim as Record<string, unknown> | null };
    };
    app.post(
      '/ab-tests',
      {
        config: { access: 'editor' },
        schema: {
          tags: ['ab-tests'],
          querystring: WaitQuery,
          body: AbTestBody,
          response: {
            200: AbTestStatusView.extend({ id: z.string() }),
            202: StartedRunView.extend({ id: z.string(), interim: z.unknown().optional() }),
          },
        },
      },
      async (request, reply) => {
        requireModelScope(request, request.body.model);
        const id = request.body.id ?? defaultAbTestId(request.body.model, request.body.treatment, new Date());
        const services = requireWorkflows(ctx);
        const handle = await services.lifecycle.startAbTestRunning({
          ...request.body,
          id,
          actor: principalOf(request).name,
        });
        const started = {
          workflowId: handle.workflowId,
          runId: handle.firstExecutionRunId,
          statusUrl: statusUrl(id),
          url: services.workflowUrl(handle.workflowId),
        };
        return answerStart(reply, started, request.query, (waitMs) => status(id, waitMs), { id });
      },
    );
    app.get(
      '/ab-tests',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['ab-tests'],
          querystring: PageQuery.extend({ model: ModelName.optional() }),
          response: { 200: pageOf(AbTestRecordView.omit({ definition: true, result: true })) },
        },
      },
      async (request) => {
        const { model, ...page } = request.query;
        const scope = principalOf(request).modelScope;
        const tests = (await ctx.registry.store.listAbTests(model)).filter((t) => scopeMatches(scope, t.model));
        return paginate(tests, (t) => t.id, page);
      },
    );
    app.get(
      '/ab-tests/:id',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['ab-tests'],
          params: AbTestParams,
          querystring: WaitQuery,
          response: { 200: AbTestStatusView },
        },
      },
      async (request) => {
        await requireTestScope(ctx, request, request.params.id);
        return status(request.params.id, request.query.wait ? request.query.timeoutSeconds * 1000 : 0);
      },
    );
    for (const verb of ['stop', 'abort'] as const) {
      app.post(
        `/ab-tests/:id/${verb}`,
        {
          config: { access: 'admin' },
          schema: { tags: ['ab-tests'], params: AbTestParams, body: ControlBody, response: { 200: AbTestStateView } },
        },
        async (request) => {
          await requireTestScope(ctx, request, request.params.id);
          const control = {
            actor: principalOf(request).name,
            reason: request.body?.reason,
          };
          const lifecycle = requireWorkflows(ctx).lifecycle;
          return verb === 'stop'
            ? lifecycle.stopAbTest(request.params.id, control)
            : lifecycle.abortAbTest(request.params.id, control);
        },
      );
    }
  };
}
