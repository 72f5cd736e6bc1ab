import { z } from 'zod';

/** A field of a cron expression: its name in messages, its numeric range, and whether names (JAN, MON) stand in. */
interface CronField {
  name: string;
  min: number;
  max: number;
  names: boolean;
}

const SECOND: CronField = { name: 'second', min: 0, max: 59, names: false };
const MINUTE: CronField = { name: 'minute', min: 0, max: 59, names: false };
const HOUR: CronField = { name: 'hour', min: 0, max: 23, names: false };
const DAY_OF_MONTH: CronField = { name: 'day of month', min: 1, max: 31, names: false };
const MONTH: CronField = { name: 'month', min: 1, max: 12, names: true };
const DAY_OF_WEEK: CronField = { name: 'day of week', min: 0, max: 7, names: true };
const YEAR: CronField = { name: 'year', min: 1970, max: 2999, names: false };

/** The fields by count, as Temporal reads them: 6 adds a year at the end, 7 a second in front as well. */
const LAYOUTS: Record<number, CronField[]> = {
  5: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK],
  6: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
  7: [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
};

/** One comma-separated item: `*` or `?`, a value or a range, with an optional `/step`. */
const ITEM = /^(\*|\?|([0-9]+|[A-Za-z]+)(-([0-9]+|[A-Za-z]+))?)(\/([0-9]+))?$/;

/** Why `field`'s text is not a valid field, or undefined when it is. */
function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const m = ITEM.exec(item);
    if (m === null) return `${field.name} ${JSON.stringify(item)} is not a value, a range or */step`;
    for (const value of [m[2], m[4]]) {
      if (value === undefined) continue;
      if (/^[A-Za-z]+$/.test(value)) {
        if (!field.names) return `${field.name} ${JSON.stringify(value)} must be a number`;
        continue;
      }
      const n = Number(value);
      if (n < field.min || n > field.max) return `${field.name} ${value} is not in ${field.min}–${field.max}`;
    }
    if (m[6] !== undefined && Number(m[6]) === 0) return `${field.name} step must be at least 1`;
  }
  return undefined;
}

/**
 * Why `expr` is not a cron expression Temporal schedules accept, or undefined when it reads as one: 5 fields
 * (minute hour day-of-month month day-of-week), 6 (and a year) or 7 (a second first, and a year), each with values,
 * ranges, steps and names in range; `@daily`-style descriptors are left to the server. Checked before anything
 * starts, so a typo is refused without a server round trip.
 */
export function cronProblem(expr: string): string | undefined {
  const trimmed = expr.trim();
  if (trimmed.startsWith('@')) return undefined;
  const fields = trimmed.split(/\s+/);
  const layout = LAYOUTS[fields.length];
  if (layout === undefined) return `has ${fields.length} field(s); give 5 (minute hour day-of-month month day-of-week)`;
  for (const [i, text] of fields.entries()) {
    const problem = fieldProblem(text, layout[i]!);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** A cron expression for a Temporal schedule (see {@link cronProblem}); the message says what is wrong and an example. */
export const CronExpression = z
  .string()
  .min(1)
  .max(500)
  .superRefine((expr, ctx) => {
    const problem = cronProblem(expr);
    if (problem !== undefined)
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(expr)} is not a cron expression: ${problem}; e.g. '0 9 * * MON'`,
      });
  });

/** True for an IANA time zone name this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name, e.g. `UTC`, `Europe/Berlin`. */
export const TimeZone = z
  .string()
  .min(1)
  .max(100)
  .refine(isTimeZone, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a time zone; use an IANA name such as 'UTC' or 'Europe/Berlin'`,
  });

/** The shortest interval between the runs of a Temporal schedule (ms): the server refuses less. */
export const MIN_SCHEDULE_INTERVAL_MS = 1_000;
