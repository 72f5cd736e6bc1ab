import type { FastifyInstance } from 'fastify';
import { ErrorCode, ModelctlError } from '../domain/errors';

/** Deepest nesting of arrays and objects a JSON body may have. */
export const MAX_JSON_DEPTH = 32;

/**
 * The nesting depth of a parsed JSON value (a scalar is 0), exact up to `limit + 1`; a deeper value answers a number
 * above `limit` (not its depth): the walk stops descending there, so its recursion is bounded by the limit whatever
 * the body, and a batch of flat items costs one visit per item, with no allocation.
 */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  if (Array.isArray(value)) {
    for (const child of value) {
      if (typeof child !== 'object' || child === null) continue;
      const depth = jsonDepth(child, limit - 1);
      if (depth > deepest) deepest = depth;
      if (deepest > limit) break;
    }
  } else {
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key];
      if (typeof child !== 'object' || child === null) continue;
      const depth = jsonDepth(child, limit - 1);
      if (depth > deepest) deepest = depth;
      if (deepest > limit) break;
    }
  }
  return deepest + 1;
}

/**
 * Replaces Fastify's body parsers by a JSON one that also bounds the depth (the size bound is the route's body limit):
 * malformed JSON and a body nested deeper than {@link MAX_JSON_DEPTH} both answer 400 INVALID_INPUT.
 */
export function registerJsonBody(app: FastifyInstance): void {
  // JSON is the only body the routes read (uploads bring their own parser): anything else is 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new ModelctlError(ErrorCode.INVALID_INPUT, 'invalid body: empty; send a JSON value'), undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      done(new ModelctlError(ErrorCode.INVALID_INPUT, `invalid body: malformed JSON (${reason})`), undefined);
      return;
    }
    if (jsonDepth(parsed) > MAX_JSON_DEPTH) {
      done(
        new ModelctlError(ErrorCode.INVALID_INPUT, `invalid body: nested deeper than ${MAX_JSON_DEPTH} levels`),
        undefined,
      );
      return;
    }
    done(null, parsed);
  });
}
