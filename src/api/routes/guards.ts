import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { guardInputFor } from '../../client/guard-start';
import type { GuardVerb } from '../../client/lifecycle-operations';
import { ErrorCode, ModelctlError } from '../../domain/errors';
import { GuardStatus } from '../../domain/guard';
import { JsonValue } from '../../domain/json';
import { SemVer } from '../../domain/semver';
import { principalOf } from '../auth';
import type { ApiContext } from '../context';
import { modelWorkflowRoutes } from '../model-workflow-routes';
import { PageQuery, pageOf, paginate } from '../pagination';
import { ModelParams } from '../params';
import { requireWorkflows } from '../workflow-answers';

/** `POST /models/{model}/guards`: the version (default: production) and the policy (default: the stored one). */
const GuardStartBody = z
  .object({
    version: SemVer.optional(),
    // Validated by the guard policy schema when the guard starts (naming the field), like the CLI's --policy.
    policy: JsonValue.optional(),
  })
  .strict();

const ControlBody = z
  .object({ reason: z.string().trim().max(2000).optional() })
  .strict()
  .nullish();

/** The `state` query of a guard (docs/workflows.md, "guardModel"): status, counters, recent checks and alerts. */
const GuardStateView = z.record(z.string(), z.unknown());

const GuardRecordView = z.object({
  id: z.string(),
  model: z.string(),
  version: z.string(),
  baselineVersion: z.string().nullable(),
  policy: JsonValue,
  actor: z.string(),
  status: z.enum(Object.values(GuardStatus) as [GuardStatus, ...GuardStatus[]]),
  workflowId: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
});

const StoredGuardPolicyView = z.object({
  model: z.string(),
  policy: JsonValue,
  actor: z.string(),
  updatedAt: z.string(),
});
const PolicyBody = z.object({ policy: JsonValue }).strict();

const VERBS: readonly GuardVerb[] = ['pause', 'resume', 'stop', 'acknowledge'];

/**
 * The guardModel workflow over HTTP: start (`POST /models/{model}/guards`, admin) and the run
 * (`GET /models/{model}/guard`), its updates (`POST /models/{model}/guard/{pause|resume|stop|acknowledge}`, admin),
 * the guards the store recorded (`GET /models/{model}/guards`), and the model's default policy
 * (`GET|PUT /models/{model}/guard-policy`). The actor is the token's name.
 */
export function guardRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const startAndStatus = modelWorkflowRoutes(ctx, {
    noun: 'guard',
    startAccess: 'admin',
    body: GuardStartBody,
    start: async (lifecycle, { model, actor, version, policy }) =>
      lifecycle.startGuard(await guardInputFor(ctx.registry, { model, actor, version, policy })),
    run: (lifecycle, model, waitMs) => lifecycle.guardRun(model, waitMs),
  });
  return async (app, options) => {
    await startAndStatus(app, options);
    for (const verb of VERBS) {
      app.post(
        `/models/:model/guard/${verb}`,
        {
          config: { access: 'admin' },
          schema: { tags: ['workflows'], params: ModelParams, body: ControlBody, response: { 200: GuardStateView } },
        },
        async (request) => {
          const reason = request.body?.reason;
          const { lifecycle } = requireWorkflows(ctx);
          const state = await lifecycle.controlGuard(request.params.model, verb, {
            actor: principalOf(request).name,
            reason: reason === '' ? undefined : reason,
          });
          // A copy, not a cast: an interface has no index signature, the spread's object type has one.
          return { ...state };
        },
      );
    }
    app.get(
      '/models/:model/guards',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['workflows'],
          params: ModelParams,
          querystring: PageQuery,
          response: { 200: pageOf(GuardRecordView) },
        },
      },
      async (request) => {
        const guards = await ctx.registry.store.listGuards(request.params.model);
        return paginate(guards, (g) => g.id, request.query) as never;
      },
    );
    app.get(
      '/models/:model/guard-policy',
      {
        config: { access: 'viewer' },
        schema: { tags: ['workflows'], params: ModelParams, response: { 200: StoredGuardPolicyView } },
      },
      async (request) => {
        const { model } = request.params;
        const stored = await ctx.registry.guardPolicy(model);
        if (stored === null) throw new ModelctlError(ErrorCode.NOT_FOUND, `no guard policy for ${model}`);
        return stored as never;
      },
    );
    app.put(
      '/models/:model/guard-policy',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['workflows'],
          params: ModelParams,
          body: PolicyBody,
          response: { 200: StoredGuardPolicyView },
        },
      },
      async (request) =>
        (await ctx.registry.setGuardPolicy(
          request.params.model,
          request.body.policy,
          principalOf(request).name,
        )) as never,
    );
  };
}
