import { z } from 'zod';
import { ErrorCode, ModelctlError } from '../domain/errors';

/** `?limit=&cursor=` of every list. */
export const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(512).optional(),
  })
  .strict();
export type PageQuery = z.infer<typeof PageQuery>;

/** A page of a list: pass `nextCursor` as `?cursor=` for the next one; null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** The cursor of a list item's key (opaque base64url). */
function encode(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/**
 * The key a cursor holds.
 * @throws ModelctlError INVALID_INPUT for a cursor that no page produced
 */
export function decode(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key === '' || encode(key) !== cursor)
    throw new ModelctlError(ErrorCode.INVALID_INPUT, 'invalid cursor: pass the nextCursor of the previous page');
  return key;
}

/**
 * One page of `items`, which are in a stable order with unique `keyOf` values: the items after the cursor's key.
 * The cursor is the last item's key (opaque, base64url), so a page stays correct when items are added before it.
 * @throws ModelctlError INVALID_INPUT for a cursor that no page produced
 */
export function paginate<T>(items: readonly T[], keyOf: (item: T) => string, page: PageQuery) {
  let start = 0;
  if (page.cursor !== undefined) {
    const key = decode(page.cursor);
    const at = items.findIndex((item) => keyOf(item) === key);
    start = at === -1 ? items.length : at + 1;
  }
  const slice = items.slice(start, start + page.limit);
  return pageAnswer({ items: slice, more: start + slice.length < items.length }, keyOf);
}

/**
 * The answer of a page read in the store (`more`: something follows it), with the cursor of its last item's key;
 * the next request hands that key back through {@link decode}.
 */
export function pageAnswer<T>(page: { items: T[]; more: boolean }, keyOf: (item: T) => string) {
  const last = page.items.at(-1);
  return { items: page.items, nextCursor: page.more && last !== undefined ? encode(keyOf(last)) : null };
}
