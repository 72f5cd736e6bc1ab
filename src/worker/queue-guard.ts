import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { homeOfIdentity, registryOfIdentity } from './worker-identity';

/**
 * How long after its last poll a worker still counts as polling (ms). A running worker polls again as soon as a long
 * poll ends, and the server ends a long poll after at most a minute (`matching.longPollExpirationInterval`, 1 minute
 * by default), so a worker whose last poll is older than this has stopped, even if the server still lists it (it
 * keeps pollers for several minutes).
 */
export const POLLER_LIVE_MS = 75_000;

/** A worker of another registry found polling a task queue. */
export interface ForeignPoller {
  identity: string;
  registryId: string | null;
  home: string | null;
  /** The worker's last poll, when the server reports it. */
  lastPollAt: Date | null;
}

/**
 * The modelctl workers of another registry that polled `taskQueue` (workflow or activity tasks) within the last
 * {@link POLLER_LIVE_MS}. A worker is of another registry when its identity names another registry id, or, for a
 * worker that names none (an older modelctl), another home. Workers that are not modelctl's are not judged.
 */
export async function foreignPollers(
  connection: Pick<Connection, 'workflowService'>,
  namespace: string,
  taskQueue: string,
  own: { registryId: string; home: string },
  now: Date = new Date(),
): Promise<ForeignPoller[]> {
  const found = new Map<string, ForeignPoller>();
  for (const taskQueueType of [
    temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  ]) {
    const response = await connection.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
    });
    for (const poller of response.pollers ?? []) {
      const identity = poller.identity ?? '';
      const registryId = registryOfIdentity(identity);
      const home = homeOfIdentity(identity);
      if (home === null) continue;
      if (registryId !== null ? registryId === own.registryId : home === own.home) continue;
      const seconds = poller.lastAccessTime?.seconds;
      const lastPollAt =
        seconds === undefined || seconds === null
          ? null
          : new Date(Number(seconds) * 1000 + Math.floor((poller.lastAccessTime?.nanos ?? 0) / 1e6));
      if (lastPollAt !== null && now.getTime() - lastPollAt.getTime() > POLLER_LIVE_MS) continue;
      const seen = found.get(identity);
      if (seen === undefined || (lastPollAt !== null && (seen.lastPollAt?.getTime() ?? 0) < lastPollAt.getTime())) {
        found.set(identity, { identity, registryId, home, lastPollAt });
      }
    }
  }
  return [...found.values()];
}

/**
 * The refusal to serve a task queue that a worker of another registry polls: what, why, how long it lasts, and how
 * to separate the registries.
 */
export function foreignPollerError(
  foreign: ForeignPoller,
  where: { address: string; taskQueue: string },
): ModelctlError {
  const who =
    foreign.registryId !== null ? `registry ${foreign.registryId} (home ${foreign.home})` : `home ${foreign.home}`;
  const until =
    foreign.lastPollAt === null
      ? `${POLLER_LIVE_MS / 1000} seconds after that worker stops`
      : `while that worker polls; if it has stopped, from ${new Date(foreign.lastPollAt.getTime() + POLLER_LIVE_MS).toISOString()} on (${POLLER_LIVE_MS / 1000} seconds after its last poll at ${foreign.lastPollAt.toISOString()})`;
  return new ModelctlError(
    ErrorCode.CONFLICT,
    `task queue ${where.taskQueue} on ${where.address} is served by a worker of another registry, ${who}; ` +
      `refused ${until}; give each registry its own TEMPORAL_TASK_QUEUE or Temporal server ` +
      '(MODELCTL_TEMPORAL_PORT and MODELCTL_TEMPORAL_UI_PORT for the embedded one)',
    {
      otherRegistry: foreign.registryId,
      otherHome: foreign.home,
      taskQueue: where.taskQueue,
      lastPollAt: foreign.lastPollAt?.toISOString() ?? null,
    },
  );
}
