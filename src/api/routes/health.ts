import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context';

const Alive = z.object({ status: z.literal('ok') });
const Readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional() })),
});

/** `/healthz` (the process answers) and `/readyz` (every dependency answers); both public, neither carries data. */
export function healthRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      { config: { access: 'public' }, schema: { tags: ['health'], response: { 200: Alive } } },
      async () => ({ status: 'ok' as const }),
    );
    app.get(
      '/readyz',
      { config: { access: 'public' }, schema: { tags: ['health'], response: { 200: Readiness, 503: Readiness } } },
      async (_request, reply) => {
        const entries = await Promise.all(
          Object.entries(ctx.readiness).map(async ([name, check]) => {
            try {
              await check();
              return [name, { ok: true }] as const;
            } catch (err) {
              // The first line only: enough to tell which dependency is down, nothing of its internals.
              const message = err instanceof Error ? err.message : String(err);
              return [name, { ok: false, error: message.split('\n')[0] ?? '' }] as const;
            }
          }),
        );
        const ready = entries.every(([, c]) => c.ok);
        return reply
          .code(ready ? 200 : 503)
          .send({ status: ready ? ('ready' as const) : ('unavailable' as const), checks: Object.fromEntries(entries) });
      },
    );
  };
}
