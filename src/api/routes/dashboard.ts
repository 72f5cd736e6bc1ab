import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeMatches } from '../../domain/api-token';
import { productionStints } from '../../domain/production-stints';
import { principalOf } from '../auth';
import type { ApiContext } from '../context';
import { ModelParams } from '../params';
import { PageQuery, pageOf, paginate } from '../pagination';

const StintView = z.object({
  version: z.string(),
  from: z.string(),
  to: z.string().nullable(),
  actor: z.string(),
  reason: z.string().nullable(),
  via: z.string(),
  workflowId: z.string().nullable(),
});
const ModelOverview = z.object({
  name: z.string(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: z.string(),
  production: StintView.nullable(),
  lastChange: z.object({ version: z.string(), toStatus: z.string(), actor: z.string(), at: z.string() }).nullable(),
  runningAbTests: z.array(z.string()),
});

const DashboardSettings = z.object({
  temporalUi: z.object({ url: z.string(), namespace: z.string() }).nullable(),
});

/** Views the dashboard needs in one request each: the models overview and a model's production timeline. */
export function dashboardRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/dashboard/models',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['dashboard'],
          description:
            'Models with the version serving each (since when, by whom), the last change and running A/B tests.',
          querystring: PageQuery,
          response: { 200: pageOf(ModelOverview) },
        },
      },
      async (request) => {
        const scope = principalOf(request).modelScope;
        const models = (await ctx.registry.store.listModels()).filter((m) => scopeMatches(scope, m.name));
        const page = paginate(models, (m) => m.name, request.query);
        const running = (await ctx.registry.store.listAbTests()).filter((t) => t.status === 'RUNNING');
        const items = await Promise.all(
          page.items.map(async (m) => {
            const events = await ctx.registry.store.events(m.name);
            const current = productionStints(events).find((s) => s.to === null) ?? null;
            const last = events.at(-1);
            return {
              ...m,
              production: current,
              lastChange:
                last === undefined
                  ? null
                  : { version: last.version, toStatus: last.toStatus, actor: last.actor, at: last.at },
              runningAbTests: running.filter((t) => t.model === m.name).map((t) => t.id),
            };
          }),
        );
        return { items, nextCursor: page.nextCursor };
      },
    );
    app.get(
      '/dashboard/settings',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['dashboard'],
          description:
            'What the dashboard links to: the Temporal Web UI (base URL and namespace; a workflow is at ' +
            '<url>/namespaces/<namespace>/workflows/<workflowId>), null when its address is unknown.',
          response: { 200: DashboardSettings },
        },
      },
      async () => ({ temporalUi: ctx.workflows?.temporalUi ?? null }),
    );
    app.get(
      '/dashboard/models/:model/timeline',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['dashboard'],
          description: 'Which version served the model when: production stints built from the audit events.',
          params: ModelParams,
          response: { 200: z.object({ model: z.string(), stints: z.array(StintView) }) },
        },
      },
      async (request) => {
        const { model } = request.params;
        await ctx.registry.requireModel(model);
        return { model, stints: productionStints(await ctx.registry.store.events(model)) };
      },
    );
  };
}
