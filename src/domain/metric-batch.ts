/**
 * Exact fast checks of metric batches, for the write path where a zod parse of 1,000 points cost as much as storing
 * them. Each check accepts only inputs its zod schema accepts unchanged (no trimming, no timestamp normalisation) and
 * answers undefined for anything else, so that the caller then runs the zod schema, which gives the one error line or
 * the transformed value exactly as before. An accepted input and the schema's output are equal value for value.
 */

/** A metric point as the store keeps it: the timestamp, when given, already normalised ISO 8601 UTC. */
export interface CheckedMetricPoint {
  key: string;
  value: number;
  step: number;
  timestamp?: string;
}

const CANONICAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * True for a MetricKey that `z.string().trim().min(1).max(200)` returns unchanged: 1 to 200 UTF-16 units whose ends are
 * printable ASCII other than space (none of them is white space that trim removes).
 */
function plainKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length < 1 || key.length > 200) return false;
  const first = key.charCodeAt(0);
  const last = key.charCodeAt(key.length - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f;
}

/**
 * The fields of `p` when it is a plain object (a parsed JSON object's prototype) holding only key, value, step and
 * optionally timestamp, with a plain key, a finite value and a step that is a safe integer ≥ 0; else undefined.
 */
function plainPoint(p: unknown): { key: string; value: number; step: number; timestamp: unknown } | undefined {
  if (typeof p !== 'object' || p === null || Object.getPrototypeOf(p) !== Object.prototype) return undefined;
  // for…in, as zod's strict object uses to find unrecognised keys.
  for (const k in p) if (k !== 'key' && k !== 'value' && k !== 'step' && k !== 'timestamp') return undefined;
  const { key, value, step, timestamp } = p as Record<string, unknown>;
  if (!plainKey(key) || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) return undefined;
  return { key, value, step, timestamp };
}

/**
 * `points` when it is an array of at most `max` points that MetricPointInput (route form: a timestamp is any string)
 * accepts unchanged; else undefined (run the schema). Reads `points` once; returns it as it is, not a copy.
 */
export function checkedRoutePoints(points: unknown, min: number, max: number): CheckedMetricPoint[] | undefined {
  if (!Array.isArray(points) || points.length < min || points.length > max) return undefined;
  for (const p of points as unknown[]) {
    const plain = plainPoint(p);
    if (plain === undefined || (plain.timestamp !== undefined && typeof plain.timestamp !== 'string')) return undefined;
  }
  return points as CheckedMetricPoint[];
}

/**
 * A fresh copy of `points` when every one is a point that the store's schema (MetricPointInput with an IsoTimestamp)
 * accepts unchanged, i.e. a timestamp is absent or already in `toISOString` form; else undefined (run the schema).
 * A copy, as the schema's output is: the caller's array may change while the write waits for its transaction.
 */
export function checkedStorePoints(points: unknown, max: number): CheckedMetricPoint[] | undefined {
  if (!Array.isArray(points) || points.length > max) return undefined;
  const out = new Array<CheckedMetricPoint>(points.length);
  // Batches mostly repeat one timestamp (or none); the last one that passed is not checked again.
  let lastTimestamp: string | undefined;
  for (let i = 0; i < points.length; i++) {
    const plain = plainPoint(points[i]);
    if (plain === undefined) return undefined;
    const { key, value, step, timestamp } = plain;
    if (timestamp === undefined) {
      out[i] = { key, value, step };
      continue;
    }
    if (typeof timestamp !== 'string') return undefined;
    if (timestamp !== lastTimestamp) {
      if (!CANONICAL_ISO.test(timestamp)) return undefined;
      // The round trip also refuses what the pattern lets through but no calendar has (02-30, 24:00).
      const date = new Date(timestamp);
      if (Number.isNaN(date.getTime()) || date.toISOString() !== timestamp) return undefined;
      lastTimestamp = timestamp;
    }
    out[i] = { key, value, step, timestamp };
  }
  return out;
}
