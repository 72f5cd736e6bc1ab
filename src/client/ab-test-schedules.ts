import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { AbTestFields, distinctArms, guardNeedsAutoPromote } from '../domain/ab-test';
import { DurationMs } from '../domain/duration';
import { CronExpression, MIN_SCHEDULE_INTERVAL_MS, TimeZone } from '../domain/schedule-spec';
import { abTestContract, defaultScheduleId } from '../workflows/ab-test.contract';
import { fromTemporalError } from './temporal-errors';

/** A schedule id: letters, digits, '.', '_', '-', at most 151 characters. */
export const ScheduleId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$/, "must be letters, digits, '.', '_', '-'");

/**
 * When a scheduled A/B test starts: a cron expression (`0 9 * * MON` = every Monday 09:00) in `timezone`,
 * or a fixed interval (`7d`). Each run gets its own test id `<scheduleId>-<start time>`.
 */
export const AbTestScheduleInput = z
  .object({
    scheduleId: ScheduleId.optional(),
    // Checked here, before the CLI connects to Temporal (or starts its server): a typo is refused with nothing started.
    cron: CronExpression.optional(),
    every: DurationMs.pipe(
      z
        .number()
        .min(MIN_SCHEDULE_INTERVAL_MS, `must be at least 1s (${MIN_SCHEDULE_INTERVAL_MS} ms, Temporal's shortest)`),
    ).optional(),
    timezone: TimeZone.default('UTC'),
    test: AbTestFields.omit({ id: true })
      .refine(...distinctArms)
      .refine(...guardNeedsAutoPromote),
    paused: z.boolean().default(false),
    note: z.string().max(500).optional(),
  })
  .strict()
  .refine((s) => (s.cron === undefined) !== (s.every === undefined), {
    message: 'give exactly one of cron or every',
    path: ['cron'],
  });
export type AbTestScheduleInput = z.input<typeof AbTestScheduleInput>;

/** A schedule as listed: id, test, spec and whether it is paused. */
export interface AbTestScheduleSummary {
  scheduleId: string;
  paused: boolean;
  note: string | null;
  nextActionTimes: string[];
}

/**
 * Temporal Schedules that start abTest runs on a calendar or an interval. Overlap policy SKIP: a run that would
 * start while the previous one of the same schedule is still running is skipped, never run alongside.
 */
export class AbTestSchedules {
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
    /** The registry the scheduled runs act on (see LifecycleClient); null starts them without one. */
    readonly registryId: string | null = null,
  ) {}

  /** Creates a schedule. @returns its id. @throws ModelctlError INVALID_INPUT, CONFLICT (id exists) */
  async create(input: AbTestScheduleInput): Promise<string> {
    const parsed = parseInput(AbTestScheduleInput, input, 'A/B test schedule');
    const scheduleId =
      parsed.scheduleId ?? defaultScheduleId(parsed.test.model, parsed.test.control, parsed.test.treatment);
    try {
      await this.client.schedule.create({
        scheduleId,
        spec:
          parsed.cron !== undefined
            ? { cronExpressions: [parsed.cron], timezone: parsed.timezone }
            : { intervals: [{ every: parsed.every! }] }, // the schema demands exactly one of cron and every
        action: {
          type: 'startWorkflow',
          workflowType: abTestContract.workflowType,
          workflowId: scheduleId,
          taskQueue: this.taskQueue,
          args: [
            this.registryId === null
              ? (input as { test: unknown }).test
              : { ...(input as { test: object }).test, registryId: this.registryId },
          ],
        },
        policies: { overlap: 'SKIP', catchupWindow: '1 hour' },
        state: { paused: parsed.paused, note: parsed.note },
      });
    } catch (err) {
      // The server refuses a spec it cannot read (a bad cron expression or time zone) with INVALID_ARGUMENT, which
      // the schedule client turns into a TypeError carrying the server's reason: bad input, not an unexpected failure.
      if (err instanceof TypeError) {
        throw new ModelctlError(
          ErrorCode.INVALID_INPUT,
          parsed.cron !== undefined
            ? `invalid A/B test schedule: cron: ${JSON.stringify(parsed.cron)} is not a cron expression in time zone ${JSON.stringify(parsed.timezone)} (${err.message}); e.g. '0 9 * * MON'`
            : `invalid A/B test schedule: every: the server refused the interval (${err.message})`,
          { field: parsed.cron !== undefined ? 'cron' : 'every' },
          { cause: err },
        );
      }
      throw fromTemporalError(err, `A/B test schedule ${scheduleId}`);
    }
    return scheduleId;
  }

  /**
   * Lists the schedules that start abTest runs. The list comes from the server's visibility store, which lags
   * (a schedule created or deleted a moment ago may be missing or still shown); each entry's state is read fresh.
   */
  async list(): Promise<AbTestScheduleSummary[]> {
    const out: AbTestScheduleSummary[] = [];
    for await (const s of this.client.schedule.list()) {
      if (s.action?.type !== 'startWorkflow' || s.action.workflowType !== abTestContract.workflowType) continue;
      const fresh = await this.get(s.scheduleId);
      if (fresh !== null) out.push(fresh);
    }
    return out.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
  }

  private async call(scheduleId: string, verb: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) {
        throw new ModelctlError(
          ErrorCode.NOT_FOUND,
          `cannot ${verb} A/B test schedule ${scheduleId}: no such schedule`,
        );
      }
      throw fromTemporalError(err, `${verb} of A/B test schedule ${scheduleId}`);
    }
  }

  /** The current state of one schedule, or null when it does not exist. */
  async get(scheduleId: string): Promise<AbTestScheduleSummary | null> {
    try {
      const d = await this.client.schedule.getHandle(scheduleId).describe();
      return {
        scheduleId,
        paused: d.state.paused,
        note: d.state.note ?? null,
        nextActionTimes: (d.info.nextActionTimes ?? []).map((t) => t.toISOString()),
      };
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return null;
      throw err;
    }
  }

  /** The current state of one schedule. @throws ModelctlError NOT_FOUND */
  async describe(scheduleId: string): Promise<AbTestScheduleSummary> {
    const found = await this.get(scheduleId);
    if (found === null)
      throw new ModelctlError(ErrorCode.NOT_FOUND, `A/B test schedule ${scheduleId}: no such schedule`);
    return found;
  }

  /** Pauses a schedule (no runs start until unpaused). */
  async pause(scheduleId: string, note = 'paused by modelctl'): Promise<void> {
    await this.call(scheduleId, 'pause', () => this.client.schedule.getHandle(scheduleId).pause(note));
  }

  /** Resumes a paused schedule. */
  async unpause(scheduleId: string, note = 'unpaused by modelctl'): Promise<void> {
    await this.call(scheduleId, 'unpause', () => this.client.schedule.getHandle(scheduleId).unpause(note));
  }

  /** Deletes a schedule; runs already started go on. */
  async delete(scheduleId: string): Promise<void> {
    await this.call(scheduleId, 'delete', () => this.client.schedule.getHandle(scheduleId).delete());
  }

  /** Starts a run now, outside the calendar (still subject to the overlap policy). */
  async trigger(scheduleId: string): Promise<void> {
    await this.call(scheduleId, 'trigger', () => this.client.schedule.getHandle(scheduleId).trigger());
  }
}
