import type { AbTestControl, AbTestResult, AbTestState, AbTestVerdict } from '../../domain/ab-test';
import { ErrorCode, ModelctlError } from '../../domain/errors';
import type { PromotionResult } from '../../domain/promotion';
import type { RollbackResult } from '../../domain/rollback';
import type { AbTestScheduleSummary } from '../ab-test-schedules';
import type { LifecycleOperations, StartedRun } from '../lifecycle-operations';
import { ApiHttp, type RemoteTarget } from './api-http';
import { allPages } from './remote-registry';
import type { GuardResult, GuardState } from '../../workflows/guard-model.contract';

/** A run as the API answers it (docs/api.md, "Workflows"). */
interface RunAnswer<S, R> {
  workflowId: string;
  url: string | null;
  status: string;
  state: S | null;
  result: R | null;
  failure: { code: string; message: string } | null;
}

const seg = encodeURIComponent;
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** The longest wait the API grants per call; the remote CLI asks again until the run ends. */
const WAIT_SECONDS = 60;

/**
 * The workflow operations over the HTTP API of `modelctl serve` (the CLI's remote mode). Starts answer at once;
 * results are awaited by asking the status URL with `?wait=true` until the run ends. The server records the
 * token's name as the actor and the approver.
 */
export class RemoteLifecycle implements LifecycleOperations {
  readonly http: ApiHttp;

  constructor(target: RemoteTarget) {
    this.http = new ApiHttp(target);
  }

  /** Asks `path` (a status URL under /api/v1) until its run has ended; a failed run throws its error. */
  private async ended<S, R>(path: string, until?: (run: RunAnswer<S, R>) => boolean): Promise<RunAnswer<S, R>> {
    for (;;) {
      const run = await this.http.call<RunAnswer<S, R>>('GET', `${path}?wait=true&timeoutSeconds=${WAIT_SECONDS}`);
      if (run.failure !== null)
        throw KNOWN_CODES.has(run.failure.code)
          ? new ModelctlError(run.failure.code as ErrorCode, run.failure.message)
          : new Error(run.failure.message);
      if (until ? until(run) : run.status !== 'RUNNING') return run;
    }
  }

  /** POSTs a start; with `attach`, a run already going under the same id is taken instead of refused. */
  private async start(path: string, body: unknown, attach: boolean, statusPath: string): Promise<StartedRun> {
    try {
      const started = await this.http.call<{ workflowId: string; url: string | null }>('POST', path, body);
      return { workflowId: started.workflowId, url: started.url };
    } catch (err) {
      if (!attach || !(err instanceof ModelctlError) || err.code !== ErrorCode.CONFLICT) throw err;
      const running = await this.http.call<RunAnswer<unknown, unknown>>('GET', statusPath);
      return { workflowId: running.workflowId, url: running.url };
    }
  }

  startPromotion: LifecycleOperations['startPromotion'] = ({ model, actor: _actor, ...body }, options) =>
    this.start(`/models/${seg(model)}/promotions`, body, Boolean(options.attach), `/models/${seg(model)}/promotion`);

  async promotionResult(model: string): Promise<PromotionResult> {
    return (await this.ended<unknown, PromotionResult>(`/models/${seg(model)}/promotion`)).result!;
  }

  approvePromotion: LifecycleOperations['approvePromotion'] = (model, decision) =>
    this.http.call('POST', `/models/${seg(model)}/promotion/${decision.approved ? 'approve' : 'reject'}`, {
      comment: decision.comment,
    });

  startRollback: LifecycleOperations['startRollback'] = ({ model, actor: _actor, ...body }, options) =>
    this.start(`/models/${seg(model)}/rollbacks`, body, Boolean(options.attach), `/models/${seg(model)}/rollback`);

  async rollbackResult(model: string): Promise<RollbackResult> {
    return (await this.ended<unknown, RollbackResult>(`/models/${seg(model)}/rollback`)).result!;
  }

  startAbTest: LifecycleOperations['startAbTest'] = ({ actor: _actor, ...body }) =>
    this.start('/ab-tests', body, false, `/ab-tests/${seg(body.id)}`);

  async abTestStatus(id: string, wait: boolean): ReturnType<LifecycleOperations['abTestStatus']> {
    type Answer = RunAnswer<AbTestState, AbTestResult> & { interim: AbTestVerdict | null };
    const path = `/ab-tests/${seg(id)}`;
    const run = wait
      ? ((await this.ended<AbTestState, AbTestResult>(path, (r) => r.result !== null)) as Answer)
      : await this.http.call<Answer>('GET', path);
    if (run.result !== null) return { kind: 'result', result: run.result, url: run.url };
    return { kind: 'interim', state: run.state!, interim: run.interim, url: run.url };
  }

  stopAbTest(id: string, control: AbTestControl): Promise<AbTestState> {
    return this.http.call('POST', `/ab-tests/${seg(id)}/stop`, control.reason ? { reason: control.reason } : {});
  }

  abortAbTest(id: string, control: AbTestControl): Promise<AbTestState> {
    return this.http.call('POST', `/ab-tests/${seg(id)}/abort`, control.reason ? { reason: control.reason } : {});
  }

  readonly schedules: LifecycleOperations['schedules'] = {
    create: async (input) =>
      (await this.http.call<{ scheduleId: string }>('POST', '/ab-test-schedules', input)).scheduleId,
    list: () => allPages<AbTestScheduleSummary>(this.http, '/ab-test-schedules'),
    pause: (scheduleId) => this.scheduleAction(scheduleId, 'pause'),
    unpause: (scheduleId) => this.scheduleAction(scheduleId, 'unpause'),
    trigger: (scheduleId) => this.scheduleAction(scheduleId, 'trigger'),
    delete: async (scheduleId) => {
      await this.http.call('DELETE', `/ab-test-schedules/${seg(scheduleId)}`);
    },
  };

  private async scheduleAction(scheduleId: string, verb: string): Promise<void> {
    await this.http.call('POST', `/ab-test-schedules/${seg(scheduleId)}/${verb}`);
  }

  startGuard: LifecycleOperations['startGuard'] = ({ model, version, policy }) =>
    this.start(`/models/${seg(model)}/guards`, { version, policy }, false, `/models/${seg(model)}/guard`);

  /**
   * The guard's state from its run: the `state` query, or the state in the result of a guard that ended.
   * @throws ModelctlError UNAVAILABLE when the server's Temporal has no worker to answer the query of a running guard
   */
  async guardState(model: string): Promise<GuardState> {
    const run = await this.http.call<RunAnswer<GuardState, GuardResult>>('GET', `/models/${seg(model)}/guard`);
    if (run.state !== null) return run.state;
    if (run.result !== null) {
      const { reason: _reason, ...state } = run.result;
      return state;
    }
    if (run.failure !== null) throw new ModelctlError(ErrorCode.UNAVAILABLE, run.failure.message);
    throw new ModelctlError(
      ErrorCode.UNAVAILABLE,
      `the guard of ${model} is ${run.status} but no worker answers its state; start one (modelctl worker)`,
    );
  }

  controlGuard: LifecycleOperations['controlGuard'] = (model, verb, request) =>
    this.http.call('POST', `/models/${seg(model)}/guard/${verb}`, { reason: request.reason });
}
