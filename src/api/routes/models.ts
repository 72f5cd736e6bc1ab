import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeMatches } from '../../domain/api-token';
import { ErrorCode, ModelctlError } from '../../domain/errors';
import { principalOf } from '../auth';
import type { ApiContext } from '../context';
import { parseByteRange, RangeNotSatisfiable } from '../byte-range';
import { ModelParams, VersionParams } from '../params';
import { decode, PageQuery, pageAnswer, pageOf, paginate } from '../pagination';
import { ModelHistoryView, ModelSummaryView, ModelVersionView, ProductionView } from '../views';

/** Models and their versions: lists, one version, production now or at a time, history. */
export function modelRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/models',
      {
        config: { access: 'viewer' },
        schema: { tags: ['models'], querystring: PageQuery, response: { 200: pageOf(ModelSummaryView) } },
      },
      async (request) => {
        // A scoped token sees only the models its scope covers.
        const scope = principalOf(request).modelScope;
        const models = (await ctx.registry.store.listModels()).filter((m) => scopeMatches(scope, m.name));
        return paginate(models, (m) => m.name, request.query);
      },
    );
    app.get(
      '/models/:model/versions',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['models'],
          params: ModelParams,
          querystring: PageQuery,
          response: { 200: pageOf(ModelVersionView) },
        },
      },
      async (request) => {
        const { model } = request.params;
        const { cursor, limit } = request.query;
        const page = await ctx.registry.store.versionsPage(model, {
          ...(cursor !== undefined ? { after: decode(cursor) } : {}),
          limit,
        });
        // No versions at all is an unknown model (NOT_FOUND), as for every other model route.
        if (page.items.length === 0) await ctx.registry.requireModel(model);
        return pageAnswer(page, (v) => v.version);
      },
    );
    app.get(
      '/models/:model/versions/:version',
      {
        config: { access: 'viewer' },
        schema: { tags: ['models'], params: VersionParams, response: { 200: ModelVersionView } },
      },
      async (request) => {
        const { model, version } = request.params;
        const found = await ctx.registry.getVersion(model, version);
        if (found === null) throw new ModelctlError(ErrorCode.NOT_FOUND, `${model}@${version} does not exist`);
        return found;
      },
    );
    app.get(
      '/models/:model/versions/:version/artifact',
      { config: { access: 'viewer' }, schema: { tags: ['models'], params: VersionParams } },
      async (request, reply) => {
        const { model, version } = request.params;
        const { modelVersion, range, body } = await ctx.registry
          .openArtifact(model, version, (size) => parseByteRange(request.headers.range, size))
          .catch((err: unknown) => {
            if (err instanceof RangeNotSatisfiable) reply.header('content-range', `bytes */${err.sizeBytes}`);
            throw err;
          });
        const { sizeBytes: size, mediaType, sha256 } = modelVersion.artifact;
        reply
          .header('content-type', mediaType)
          .header('accept-ranges', 'bytes')
          .header('etag', `"${sha256}"`)
          .header('content-length', range === undefined ? size : range.end - range.start + 1);
        if (range !== undefined) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
        return reply.send(body);
      },
    );
    app.get(
      '/models/:model/production',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['models'],
          params: ModelParams,
          querystring: z.object({ at: z.string().max(64).optional() }).strict(),
          response: { 200: ProductionView },
        },
      },
      async (request) => ctx.registry.production(request.params.model, request.query.at),
    );
    app.get(
      '/models/:model/history',
      {
        config: { access: 'viewer' },
        schema: { tags: ['models'], params: ModelParams, response: { 200: ModelHistoryView } },
      },
      async (request) => ctx.registry.history(request.params.model),
    );
  };
}
