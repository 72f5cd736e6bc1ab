import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EvalSetName } from '../../domain/evaluation';
import { MetricKey } from '../../domain/experiment';
import { ModelName } from '../../domain/names';
import { SemVer } from '../../domain/semver';
import { requireModelScope } from '../auth';
import type { ApiContext } from '../context';
import { ModelParams } from '../params';
import { decode, PageQuery, pageAnswer, pageOf } from '../pagination';
import { ApprovalView, MetricTrendView, RegistryReportView, VersionComparisonView } from '../views';

const CompareQuery = z
  .object({
    a: SemVer,
    b: SemVer,
    /** The model of `b` when it is another model's version (default the path's); the token's scope must cover it. */
    bModel: ModelName.optional(),
    /** Repeat `metric=` to compare several; absent: every metric of either version. */
    metric: z.union([MetricKey, z.array(MetricKey).max(100)]).optional(),
  })
  .strict();
const TrendQuery = z
  .object({
    metric: MetricKey,
    evalSet: EvalSetName.optional(),
    lowerIsBetter: z.enum(['true', 'false']).optional(),
  })
  .strict();
const EventView = z.object({
  id: z.number().int(),
  model: z.string(),
  version: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string(),
  via: z.string(),
  actor: z.string(),
  reason: z.string().nullable(),
  workflowId: z.string().nullable(),
  approval: ApprovalView.nullable(),
  at: z.string(),
});

/**
 * Read-only views across versions: the comparison of two, a metric's trend, the audit events of a model, the registry
 * report.
 */
export function reportRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/models/:model/compare',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['reports'],
          params: ModelParams,
          querystring: CompareQuery,
          response: { 200: VersionComparisonView },
        },
      },
      async (request) => {
        const { model } = request.params;
        const { a, b, bModel, metric } = request.query;
        if (bModel !== undefined) requireModelScope(request, bModel);
        const metrics = metric === undefined ? undefined : Array.isArray(metric) ? metric : [metric];
        return ctx.registry.compareVersions({ model, version: a }, { model: bModel ?? model, version: b }, metrics);
      },
    );
    app.get(
      '/models/:model/trend',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['reports'],
          params: ModelParams,
          querystring: TrendQuery,
          response: { 200: MetricTrendView },
        },
      },
      async (request) => {
        const { metric, evalSet, lowerIsBetter } = request.query;
        return ctx.registry.trend(request.params.model, metric, {
          evalSet,
          lowerIsBetter: lowerIsBetter === undefined ? undefined : lowerIsBetter === 'true',
        });
      },
    );
    app.get(
      '/models/:model/events',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['reports'],
          params: ModelParams,
          querystring: PageQuery,
          response: { 200: pageOf(EventView) },
        },
      },
      async (request) => {
        const { cursor, limit } = request.query;
        const key = cursor === undefined ? undefined : decode(cursor);
        // A key that is no event id (like one of another model's) is past every event: an empty page.
        const afterId = key === undefined ? undefined : /^[0-9]{1,15}$/.test(key) ? Number(key) : -1;
        const page = await ctx.registry.store.eventsPage(request.params.model, {
          ...(afterId !== undefined ? { afterId } : {}),
          limit,
        });
        return pageAnswer(page, (e) => String(e.id));
      },
    );
    app.get(
      '/report',
      { config: { access: 'viewer' }, schema: { tags: ['reports'], response: { 200: RegistryReportView } } },
      async () => ctx.registry.exportReport(),
    );
  };
}
