import { z } from 'zod';
import { msToNumber } from '@temporalio/common/lib/time';

/**
 * A duration as Temporal reads it: milliseconds, or an `ms`-style string such as `20s`, `90m`, `7d`.
 * Parsed to a positive number of milliseconds with the SDK's own parser, so what validates is what Temporal runs.
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
      return ms;
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `invalid duration ${JSON.stringify(value)}; use milliseconds or e.g. '20s', '12h', '7d'`,
      });
      return z.NEVER;
    }
  });
