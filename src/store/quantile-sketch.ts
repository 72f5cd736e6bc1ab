import { DDSketch } from '@datadog/sketches-js';

/**
 * The quantile sketch kept per observation bucket: a DDSketch with 1 % relative accuracy (any quantile estimate q̂
 * of the values it saw satisfies |q̂ − q| ≤ 0.01·|q|), serialized as its protobuf bytes in base64. Sketches of the
 * same accuracy merge exactly, so a bucket's sketch absorbs later batches and a query merges the buckets it reads.
 * @see Masson, Rim & Lee (2019), "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with Relative-Error
 *   Guarantees", PVLDB 12(12):2195–2205; the implementation is Datadog's @datadog/sketches-js.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

export function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
}

/** The stored form of a sketch: protobuf bytes in base64 (text on both backends). */
export function encodeSketch(sketch: DDSketch): string {
  return Buffer.from(sketch.toProto()).toString('base64');
}

/** A stored sketch back; `fromProto` restores the bins and the count (min, max and sum live in their own columns). */
export function decodeSketch(text: string): DDSketch {
  return DDSketch.fromProto(Buffer.from(text, 'base64'));
}
