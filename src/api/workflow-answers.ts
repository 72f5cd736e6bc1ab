import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ErrorCode, ModelctlError } from '../domain/errors';
import type { WorkflowRunStatus } from '../client/workflow-runs';
import type { ApiContext, WorkflowServices } from './context';

/** `?wait=true&timeoutSeconds=n` of the workflow starts and status routes: wait for the run to end, bounded. */
export const WaitQuery = z
  .object({
    wait: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((w) => w === 'true'),
    timeoutSeconds: z.coerce
      .number({ error: 'must be a whole number of seconds from 1 to 60' })
      .int('must be a whole number of seconds from 1 to 60')
      .min(1, 'must be a whole number of seconds from 1 to 60')
      .max(60, 'must be a whole number of seconds from 1 to 60')
      .default(30),
  })
  .strict();
export type WaitQuery = z.output<typeof WaitQuery>;

/** The answer of a start that did not wait: where to ask for the run's status, and its Temporal Web UI page. */
export const StartedView = z.object({
  workflowId: z.string(),
  runId: z.string(),
  statusUrl: z.string(),
  url: z.string().nullable(),
});

/** A run of a workflow: Temporal's status, its query state, its result or failure, and links. */
export const RunView = StartedView.extend({
  status: z.string(),
  state: z.record(z.string(), z.unknown()).nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  failure: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type RunView = z.infer<typeof RunView>;

/**
 * The Temporal services of a server, or the refusal of one started without Temporal.
 * @throws ModelctlError UNAVAILABLE
 */
export function requireWorkflows(ctx: ApiContext): WorkflowServices {
  if (ctx.workflows === null)
    throw new ModelctlError(ErrorCode.UNAVAILABLE, 'this server runs without Temporal: workflow routes are off');
  return ctx.workflows;
}

/** A run as the API answers it: the library's status plus its status URL and Web UI link. */
export function runView(
  services: WorkflowServices,
  run: WorkflowRunStatus<object, object>,
  statusUrl: string,
): RunView {
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    statusUrl,
    url: services.workflowUrl(run.workflowId),
    status: run.status,
    state: run.state as Record<string, unknown> | null,
    result: run.result as Record<string, unknown> | null,
    failure: run.failure,
  };
}

/**
 * Answers a workflow start. Without `wait`: 202 `{ workflowId, runId, statusUrl, url }` (url: the Temporal Web UI page, null when unknown) and a Location header. With
 * `wait`: waits up to `timeoutSeconds` for the run to end, then 200 with the run (its result), or, still running,
 * 202 with the status so far; a run that failed answers its error (422 GATE_FAILED …) as problem+json.
 * `extra` fields (an A/B test's id) go into every answer.
 */
export async function answerStart(
  reply: FastifyReply,
  started: z.infer<typeof StartedView>,
  wait: WaitQuery,
  describe: (waitMs: number) => Promise<RunView>,
  extra: Record<string, unknown> = {},
): Promise<FastifyReply> {
  reply.header('location', started.statusUrl);
  if (!wait.wait) return reply.code(202).send({ ...extra, ...started });
  const run = await describe(wait.timeoutSeconds * 1000);
  if (run.failure !== null) throw new ModelctlError(run.failure.code as ErrorCode, run.failure.message);
  return reply.code(run.status === 'RUNNING' ? 202 : 200).send({ ...extra, ...run });
}

/** What a start answers with 202: the started run, and its status so far when it waited. */
export const StartedRunView = RunView.partial().extend(StartedView.shape);
