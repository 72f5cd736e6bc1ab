import type { Selectable } from 'kysely';
import type { ApiTokenRecord, NewApiToken, Role } from '../domain/api-token';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { iso, isoOrNull } from './rows';
import type { ApiTokensTable } from './schema';
import type { StoreContext } from './transaction';

function toRecord(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    name: row.name,
    role: row.role as Role,
    modelScope: row.model_scope,
    createdAt: iso(row.created_at),
    expiresAt: isoOrNull(row.expires_at),
    revokedAt: isoOrNull(row.revoked_at),
  };
}

/** Stores a token. @throws ALREADY_EXISTS when a token of that name exists (revoked ones included) */
export async function createApiToken(ctx: StoreContext, token: NewApiToken): Promise<ApiTokenRecord> {
  const existing = await ctx.db
    .selectFrom('api_tokens')
    .select('name')
    .where('name', '=', token.name)
    .executeTakeFirst();
  if (existing !== undefined)
    throw new ModelctlError(ErrorCode.ALREADY_EXISTS, `a token named ${token.name} already exists`);
  const row = {
    name: token.name,
    role: token.role,
    model_scope: token.modelScope,
    secret_sha256: token.secretSha256,
    created_at: ctx.now().toISOString(),
    expires_at: token.expiresAt,
    revoked_at: null,
  };
  await ctx.db.insertInto('api_tokens').values(row).execute();
  return toRecord(row);
}

/** The token whose secret hashes to `secretSha256` (hex), with that stored hash; null when none. */
export async function findApiToken(
  ctx: StoreContext,
  secretSha256: string,
): Promise<{ record: ApiTokenRecord; secretSha256: string } | null> {
  const row = await ctx.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('secret_sha256', '=', secretSha256)
    .executeTakeFirst();
  return row === undefined ? null : { record: toRecord(row), secretSha256: row.secret_sha256 };
}

/** Every token, by name. */
export async function listApiTokens(ctx: StoreContext): Promise<ApiTokenRecord[]> {
  const rows = await ctx.db.selectFrom('api_tokens').selectAll().orderBy('name').execute();
  return rows.map(toRecord);
}

/** Marks a token revoked (idempotent: a second revoke keeps the first time). @throws NOT_FOUND */
export async function revokeApiToken(ctx: StoreContext, name: string): Promise<ApiTokenRecord> {
  await ctx.db
    .updateTable('api_tokens')
    .set({ revoked_at: ctx.now().toISOString() })
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .execute();
  const row = await ctx.db.selectFrom('api_tokens').selectAll().where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw new ModelctlError(ErrorCode.NOT_FOUND, `no token named ${name}`);
  return toRecord(row);
}

/** One round trip to the database: the readiness probe. @throws whatever the driver throws when it is unreachable */
export async function ping(ctx: StoreContext): Promise<void> {
  await ctx.db.selectFrom('api_tokens').select('name').limit(1).execute();
}
