import type { FastifyInstance } from 'fastify';
import { ErrorCode, ModelctlError } from '../domain/errors';

/** Deepest nesting of arrays and objects a JSON body may have. */
export const MAX_JSON_DEPTH = 32;

/** The nesting depth of a parsed JSON value (a scalar is 0), walked without recursion so a deep body cannot overflow the stack. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    const inner = depth + 1;
    if (inner > deepest) deepest = inner;
    for (const child of Object.values(current)) stack.push([child, inner]);
  }
  return deepest;
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
