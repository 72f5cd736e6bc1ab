import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkPromotable } from '../../client/lifecycle-precheck';
import { PromoteModelInput } from '../../domain/promotion';
import { principalOf } from '../auth';
import type { ApiContext } from '../context';
import { modelWorkflowRoutes } from '../model-workflow-routes';
import { ModelParams } from '../params';
import { requireWorkflows } from '../workflow-answers';

const DecisionBody = z
  .object({ comment: z.string().max(2000).optional() })
  .strict()
  .nullish();
const DecisionView = z.object({
  model: z.string(),
  approved: z.boolean(),
  approver: z.string(),
  comment: z.string().optional(),
});

/** The promoteModel workflow: start, status, approve and reject; the actor and the approver are the token's name. */
export function promotionRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const startAndStatus = modelWorkflowRoutes(ctx, {
    noun: 'promotion',
    startAccess: 'admin',
    // expectedProduction is the A/B test's guard on its auto-promotion, not part of the HTTP contract.
    body: PromoteModelInput.omit({ model: true, actor: true, expectedProduction: true }),
    // Refused before a run starts, as in the CLI: a 202 for a version that does not exist would only fail later.
    start: async (lifecycle, input) => {
      await checkPromotable(ctx.registry.store, input);
      return lifecycle.startPromotion(input);
    },
    run: (lifecycle, model, waitMs) => lifecycle.promotionRun(model, waitMs),
  });
  return async (app, options) => {
    await startAndStatus(app, options);
    for (const verb of ['approve', 'reject'] as const) {
      app.post(
        `/models/:model/promotion/${verb}`,
        {
          config: { access: 'admin' },
          schema: { tags: ['workflows'], params: ModelParams, body: DecisionBody, response: { 200: DecisionView } },
        },
        async (request) => {
          const decision = {
            approved: verb === 'approve',
            approver: principalOf(request).name,
            comment: request.body?.comment,
          };
          const { lifecycle } = requireWorkflows(ctx);
          await lifecycle.approvePromotion(request.params.model, decision);
          return { model: request.params.model, ...decision };
        },
      );
    }
  };
}
