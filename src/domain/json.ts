import { z } from 'zod';

/** Any JSON value (config blobs, results). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const JsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(JsonValue), z.record(z.string(), JsonValue)]),
);
/** A JSON object (model config, experiment config). */
// Named in the global registry so that the OpenAPI document gets one JsonValue component for this recursive type
// (an unnamed recursive schema would be a $ref to nothing).
z.globalRegistry.add(JsonValue, { id: 'JsonValue' });
export const JsonObject = z.record(z.string(), JsonValue);
export type JsonObject = z.infer<typeof JsonObject>;

/** Final scalar metrics of a model version, e.g. `{ accuracy: 0.95, auc: 0.98 }`: finite numbers only. */
export const MetricMap = z.record(
  z.string().min(1, 'metric names must not be empty'),
  z
    .number({ error: 'expected a finite number' })
    .refine(Number.isFinite, { message: 'must be finite (not NaN or Infinity)' }),
);
export type MetricMap = z.infer<typeof MetricMap>;
