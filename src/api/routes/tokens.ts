import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ModelScope, RoleSchema, TokenName } from '../../domain/api-token';
import { principalOf } from '../auth';
import type { ApiContext } from '../context';
import { PageQuery, pageOf, paginate } from '../pagination';

/** A token as the API shows it: never its secret. */
export const TokenView = z.object({
  name: z.string(),
  role: RoleSchema,
  modelScope: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const CreateTokenBody = z
  .object({
    name: TokenName,
    role: RoleSchema,
    modelScope: ModelScope.nullable().optional(),
    expiresIn: z.union([z.number().int().positive(), z.string().max(32)]).optional(),
  })
  .strict();

/** `/tokens` (admin) and `/whoami` (any token). */
export function tokenRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/whoami',
      { config: { access: 'viewer' }, schema: { tags: ['tokens'], response: { 200: TokenView } } },
      async (request) => principalOf(request),
    );
    app.get(
      '/tokens',
      {
        config: { access: 'admin' },
        schema: { tags: ['tokens'], querystring: PageQuery, response: { 200: pageOf(TokenView) } },
      },
      async (request) => paginate(await ctx.tokens.list(), (t) => t.name, request.query),
    );
    app.post(
      '/tokens',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['tokens'],
          body: CreateTokenBody,
          response: { 201: TokenView.extend({ token: z.string() }) },
        },
      },
      async (request, reply) => {
        const created = await ctx.tokens.create(request.body);
        return reply.code(201).send({ token: created.token, ...created.record });
      },
    );
    app.delete(
      '/tokens/:name',
      {
        config: { access: 'admin' },
        schema: { tags: ['tokens'], params: z.object({ name: TokenName }), response: { 200: TokenView } },
      },
      async (request) => ctx.tokens.revoke(request.params.name),
    );
  };
}
