import { z } from 'zod';
import { msToNumber } from '@temporalio/common/lib/time';

/**
 * Longest duration of any input (an A/B test, an approval timeout, a schedule interval): 10 years of 365 days, in ms.
 * A longer timer runs past what a `Date` or Temporal's timer can hold and fails the workflow task on every retry.
 */
export const MAX_DURATION_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * A duration as Temporal reads it: milliseconds, or an `ms`-style string such as `20s`, `90m`, `7d`; from 1 ms to
 * {@link MAX_DURATION_MS} (`3650d`). Parsed to milliseconds with the SDK's own parser, so what validates is what
 * Temporal runs.
 */
export const DurationMs = z
  .union([z.number(), z.string()], { error: "expected milliseconds or a duration string like '20s', '12h', '7d'" })
  .transform((value, ctx) => {
    try {
      const ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
      if (!Number.isFinite(ms) || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive duration' });
        return z.NEVER;
      }
      if (ms > MAX_DURATION_MS) {
        ctx.addIssue({ code: 'custom', message: `must be at most 3650d (${MAX_DURATION_MS} ms)` });
        return z.NEVER;
      }
      return ms;
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `invalid duration ${JSON.stringify(value)}; use milliseconds or e.g. '20s', '12h', '7d'`,
      });
      return z.NEVER;
    }
  });
