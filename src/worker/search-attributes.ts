import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { status } from '@grpc/grpc-js';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

const INDEXED_VALUE_TYPE = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
} as const;

/**
 * Registers modelctl's custom search attributes (ModelName, ModelVersion, ModelctlKind; all Keyword) in `namespace`
 * when they are missing, so workflows can set them and `temporal workflow list --query "ModelName='fraud'"` works.
 * Idempotent. On a cluster where the caller lacks operator rights it throws; register them once with
 * `temporal operator search-attribute create --name ModelName --type Keyword` (and the others) instead.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  let missing = SEARCH_ATTRIBUTES;
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    missing = SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
  } catch (err) {
    // The time-skipping test server implements AddSearchAttributes but not ListSearchAttributes: add them all.
    if ((err as { code?: number }).code !== status.UNIMPLEMENTED) throw err;
  }
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_VALUE_TYPE.KEYWORD])),
    });
  } catch (err) {
    // Another worker registered them first.
    if ((err as { code?: number }).code !== status.ALREADY_EXISTS) throw err;
  }
}
