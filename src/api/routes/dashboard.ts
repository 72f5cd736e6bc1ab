import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeMatches } from '../../domain/api-token';
import { productionStints } from '../../domain/production-stints';
import { principalOf } from '../auth';
import type { ApiContext } from '../context';
import { ModelParams } from '../params';
import { PageQuery, pageOf, paginate } from '../pagination';
import { summarizeSufficient } from '../../stats/arm-summary';
import { normalQuantile } from '../../stats/distributions';
import { absoluteDifference } from '../../stats/effects';
import type { ArmAggregate } from '../../store/registry-store';
import { requireTestScope } from '../ab-test-scope';
import { AbTestParams } from './ab-tests';

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

/** `?limit=` of the production timeline: its most recent stints, so a long history stays one small answer. */
const TimelineQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

/** At most this many points over time: the chart's resolution, whatever the number of outcome batches. */
const MAX_TIMELINE_POINTS = 500;

const AbTimelinePoint = z.object({
  at: z.string(),
  units: z.object({ control: z.number().int(), treatment: z.number().int() }),
  /** Treatment − control mean with its 95 % normal-theory interval; null until both arms have 2 units. */
  effect: z.object({ estimate: z.number(), ciLow: z.number(), ciHigh: z.number() }).nullable(),
});
type AbTimelinePoint = z.infer<typeof AbTimelinePoint>;

/**
 * The cumulative state of an A/B test after each batch of outcomes: units per arm and the absolute effect
 * x̄_t − x̄_c ± z_{0.975}·√(s_t²/n_t + s_c²/n_c) (the Wald / large-sample Welch interval, src/stats/effects.ts
 * absoluteDifference, fixed-horizon at 95 %: the picture of how the estimate settled, not the always-valid
 * decision interval, which the test's own analysis reports). More batches than MAX_TIMELINE_POINTS are thinned
 * evenly, always keeping the last, so the final point equals the totals.
 */
export function abTestTimeline(
  batches: readonly ({ at: string; arm: 'control' | 'treatment' } & ArmAggregate)[],
): AbTimelinePoint[] {
  const z = normalQuantile(0.975);
  const total = { control: { units: 0, sum: 0, sumSquares: 0 }, treatment: { units: 0, sum: 0, sumSquares: 0 } };
  const points: AbTimelinePoint[] = [];
  batches.forEach((b, i) => {
    const arm = total[b.arm];
    arm.units += b.units;
    arm.sum += b.sum;
    arm.sumSquares += b.sumSquares;
    if (batches[i + 1]?.at === b.at) return;
    const [c, t] = [summarizeSufficient(total.control), summarizeSufficient(total.treatment)];
    const effect =
      c.units < 2 || t.units < 2
        ? null
        : absoluteDifference(
            { mean: c.mean, varianceOfMean: c.variance / c.units },
            { mean: t.mean, varianceOfMean: t.variance / t.units },
            z,
          );
    points.push({ at: b.at, units: { control: c.units, treatment: t.units }, effect });
  });
  if (points.length <= MAX_TIMELINE_POINTS) return points;
  const step = points.length / MAX_TIMELINE_POINTS;
  return Array.from({ length: MAX_TIMELINE_POINTS }, (_, k) => points[Math.ceil((k + 1) * step) - 1]!);
}

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
            // The current stint and the last event, not the model's whole history (50,000 events took seconds).
            const { last, sinceLastEntry } = await ctx.registry.store.latestMoves(m.name);
            const current = productionStints(sinceLastEntry).find((s) => s.to === null) ?? null;
            return {
              ...m,
              production: current,
              lastChange:
                last === null
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
      '/dashboard/ab-tests/:id/timeline',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['dashboard'],
          description:
            'An A/B test over time: after each batch of outcomes, the units per arm so far and the absolute effect ' +
            'with its 95 % fixed-horizon interval (at most 500 points, the last equal to the totals).',
          params: AbTestParams,
          response: { 200: z.object({ id: z.string(), points: z.array(AbTimelinePoint) }) },
        },
      },
      async (request) => {
        const { id } = request.params;
        await requireTestScope(ctx, request, id);
        return { id, points: abTestTimeline(await ctx.registry.store.outcomeBatches(id)) };
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
          description:
            'Which version served the model when: the most recent `limit` production stints (default 100), oldest ' +
            'first, built from the audit events, and `total`, the number of stints the model has had.',
          params: ModelParams,
          querystring: TimelineQuery,
          response: { 200: z.object({ model: z.string(), stints: z.array(StintView), total: z.number().int() }) },
        },
      },
      async (request) => {
        const { model } = request.params;
        const { events, entries } = await ctx.registry.store.productionMoves(model, request.query.limit);
        if (entries === 0 && (await ctx.registry.store.versionsPage(model, { limit: 1 })).items.length === 0)
          await ctx.registry.requireModel(model);
        return { model, stints: productionStints(events), total: entries };
      },
    );
  };
}
