import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { LifecycleClient } from '../client/lifecycle-client';
import type { WorkflowRunStatus } from '../client/workflow-runs';
import { principalOf } from './auth';
import type { ApiContext } from './context';
import { ModelParams } from './params';
import { API_PREFIX } from './paths';
import { answerStart, requireWorkflows, RunView, runView, StartedRunView, WaitQuery } from './workflow-answers';

/** A workflow with one run per model at a time (promotion, rollback), as a pair of routes. */
export interface ModelWorkflowSpec<B extends z.ZodType> {
  /** `promotion` → POST /models/{model}/promotions and GET /models/{model}/promotion. */
  noun: string;
  /** Who may start it. */
  startAccess: 'editor' | 'admin';
  /** The start body: the workflow's input without the model (the path) and the actor (the token). */
  body: B;
  start(
    lifecycle: LifecycleClient,
    input: z.output<B> & { model: string; actor: string },
  ): Promise<WorkflowHandleWithFirstExecutionRunId>;
  run(lifecycle: LifecycleClient, model: string, waitMs: number): Promise<WorkflowRunStatus<object, object>>;
}

/** The status URL of the workflow `noun` of `model`. */
export function modelWorkflowStatusUrl(noun: string, model: string): string {
  return `${API_PREFIX}/models/${model}/${noun}`;
}

/**
 * `POST /models/{model}/<noun>s` (start: 202 and a Location, `?wait=` bounded) and `GET /models/{model}/<noun>`
 * (the run: Temporal status, query state, result or failure). The actor is the token's name.
 */
export function modelWorkflowRoutes<B extends z.ZodType>(ctx: ApiContext, spec: ModelWorkflowSpec<B>) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    const run = async (model: string, waitMs: number) => {
      const services = requireWorkflows(ctx);
      const status = await spec.run(services.lifecycle, model, waitMs);
      return runView(services, status, modelWorkflowStatusUrl(spec.noun, model));
    };
    app.post(
      `/models/:model/${spec.noun}s`,
      {
        config: { access: spec.startAccess },
        schema: {
          tags: ['workflows'],
          params: ModelParams,
          querystring: WaitQuery,
          body: spec.body,
          response: { 200: RunView, 202: StartedRunView },
        },
      },
      async (request, reply) => {
        const { model } = request.params;
        const input = { ...(request.body as object), model, actor: principalOf(request).name } as z.output<B> & {
          model: string;
          actor: string;
        };
        const services = requireWorkflows(ctx);
        const handle = await spec.start(services.lifecycle, input);
        const started = {
          workflowId: handle.workflowId,
          runId: handle.firstExecutionRunId,
          statusUrl: modelWorkflowStatusUrl(spec.noun, model),
          url: services.workflowUrl(handle.workflowId),
        };
        return answerStart(reply, started, request.query, (waitMs) => run(model, waitMs));
      },
    );
    app.get(
      `/models/:model/${spec.noun}`,
      {
        config: { access: 'viewer' },
        schema: { tags: ['workflows'], params: ModelParams, querystring: WaitQuery, response: { 200: RunView } },
      },
      async (request) => run(request.params.model, request.query.wait ? request.query.timeoutSeconds * 1000 : 0),
    );
  };
  return plugin;
}
