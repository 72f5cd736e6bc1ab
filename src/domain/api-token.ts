import { z } from 'zod';
import { DurationMs } from './duration';

/** What a token may do: viewer reads; editor also writes data; admin also changes lifecycles and manages tokens. */
export const Role = { VIEWER: 'viewer', EDITOR: 'editor', ADMIN: 'admin' } as const;
export type Role = (typeof Role)[keyof typeof Role];
export const RoleSchema = z.enum([Role.VIEWER, Role.EDITOR, Role.ADMIN], {
  error: 'must be one of viewer, editor, admin',
});

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** True when `held` grants at least what `needed` asks. */
export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

/** A token's name: the actor every audit event, experiment and approval made with it records. */
export const TokenName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'must be 1–64 lowercase letters, digits, ".", "_" or "-", starting alphanumeric',
  );

/** A glob over model names (`*` any run of characters, `?` one), e.g. `fraud*`. */
export const ModelScope = z
  .string()
  .regex(/^[a-z0-9._*?-]{1,128}$/, 'must be a glob of lowercase letters, digits, ".", "_", "-", "*" and "?"');

/** True when `model` matches the glob `scope` (null: every model). */
export function scopeMatches(scope: string | null, model: string): boolean {
  if (scope === null) return true;
  const pattern = scope.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(model);
}

/** Input of a token creation; `expiresIn` in milliseconds or a duration such as `90d` (absent: never expires). */
export const CreateTokenInput = z
  .object({
    name: TokenName,
    role: RoleSchema,
    modelScope: ModelScope.nullable().default(null),
    expiresIn: DurationMs.optional(),
  })
  .strict();
export type CreateTokenInput = z.input<typeof CreateTokenInput>;

/** A stored token: its metadata and the sha256 (hex) of its secret; the secret itself is never stored. */
export interface ApiTokenRecord {
  name: string;
  role: Role;
  modelScope: string | null;
  createdAt: string;
  /** UTC ISO 8601, or null for a token that never expires. */
  expiresAt: string | null;
  revokedAt: string | null;
}

/** What the store keeps per token. */
export interface NewApiToken {
  name: string;
  role: Role;
  modelScope: string | null;
  secretSha256: string;
  expiresAt: string | null;
}
