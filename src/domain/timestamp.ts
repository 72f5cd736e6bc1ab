import { z } from 'zod';

/**
 * A point in time as ISO 8601 with an offset (`2025-03-01T12:00:00Z`, `2025-03-01T13:00:00+01:00`),
 * normalised to UTC with millisecond precision (`Date.prototype.toISOString`), the one form the store keeps.
 */
export const IsoTimestamp = z
  .string({ error: 'expected an ISO 8601 timestamp string' })
  .pipe(
    z.iso.datetime({
      offset: true,
      error: 'must be an ISO 8601 timestamp with a time zone, e.g. 2025-03-01T12:00:00Z',
    }),
  )
  .transform((s) => new Date(s).toISOString());
export type IsoTimestamp = z.infer<typeof IsoTimestamp>;
