// Version lookups inside a transaction, shared by versions.ts and lifecycle-events.ts (which import each other's
// work otherwise): the bottom of the store's module graph beside rows.ts.
import type { ModelVersion } from '../domain/model-version';
import { versionNotFound } from './not-found';
import { toModelVersion } from './rows';
import type { Tx } from './transaction';

/** `model@version`, the way messages name a version. */
export function subject(model: string, version: string): string {
  return `${model}@${version}`;
}

export async function findVersion(trx: Tx, model: string, version: string): Promise<ModelVersion | null> {
  const row = await trx
    .selectFrom('model_versions')
    .selectAll()
    .where('model', '=', model)
    .where('version', '=', version)
    .executeTakeFirst();
  return row === undefined ? null : toModelVersion(row);
}

export async function requireVersion(trx: Tx, model: string, version: string): Promise<ModelVersion> {
  const found = await findVersion(trx, model, version);
  if (found === null) throw versionNotFound(model, version);
  return found;
}
