import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkRollbackTarget } from '../../client/lifecycle-precheck';
import { RollbackInput } from '../../domain/rollback';
import type { ApiContext } from '../context';
import { modelWorkflowRoutes } from '../model-workflow-routes';

/** The rollback workflow: `POST /models/{model}/rollbacks` `{ reason, toVersion? }` and its status. */
export function rollbackRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return modelWorkflowRoutes(ctx, {
    noun: 'rollback',
    startAccess: 'admin',
    body: RollbackInput.omit({ model: true, actor: true }),
    start: async (lifecycle, input) => {
      await checkRollbackTarget(ctx.registry.store, input);
      return lifecycle.startRollback(input);
    },
    run: (lifecycle, model, waitMs) => lifecycle.rollbackRun(model, waitMs),
  });
}
