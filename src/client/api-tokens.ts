import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CreateTokenInput, TokenName, type ApiTokenRecord } from '../domain/api-token';
import { parseInput } from '../domain/errors';
import type { RegistryStore } from '../store/registry-store';

/** Prefix of every secret, so a leaked token is recognisable in logs and by secret scanners. */
export const TOKEN_PREFIX = 'mct_';

/** A token as created: its record and the secret, which is shown once and never stored. */
export interface CreatedToken {
  token: string;
  record: ApiTokenRecord;
}

/** Why a presented token was refused; the server answers 401 with this reason. */
export type TokenRefusal = 'missing' | 'unknown' | 'expired' | 'revoked';

/** sha256 (hex) of a secret: the only form in which secrets are kept. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Most verified tokens one process keeps (the oldest entry goes first). */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * API tokens of the registry: random 256-bit secrets (base64url behind {@link TOKEN_PREFIX}) stored as sha256 hashes,
 * each with a name (the actor of what it does), a role, an optional model scope and an optional expiry.
 */
export class ApiTokens {
  /**
   * Stored tokens by presented hash, each with the store's change stamp it was read under: a revocation changes the
   * stamp, so an entry never outlives one (see src/store/change-stamp.ts). Unknown secrets are not kept.
   */
  private readonly verified = new Map<
    string,
    { stamp: string; found: { record: ApiTokenRecord; secretSha256: string } }
  >();

  constructor(
    private readonly store: RegistryStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Creates a token. `expiresIn` is milliseconds or a duration such as `90d`.
   * @returns the secret (once) and the stored record.
   * @throws ModelctlError INVALID_INPUT (name, role, scope, expiry), ALREADY_EXISTS (name taken)
   */
  async create(raw: CreateTokenInput): Promise<CreatedToken> {
    const input = parseInput(CreateTokenInput, raw, 'token');
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt =
      input.expiresIn === undefined ? null : new Date(this.now().getTime() + input.expiresIn).toISOString();
    const record = await this.store.createApiToken({
      name: input.name,
      role: input.role,
      modelScope: input.modelScope,
      secretSha256: hashSecret(token),
      expiresAt,
    });
    return { token, record };
  }

  /** Every token, by name (no secrets). */
  list(): Promise<ApiTokenRecord[]> {
    return this.store.listApiTokens();
  }

  /** Revokes a token by name; later requests with it get 401. @throws ModelctlError INVALID_INPUT, NOT_FOUND */
  revoke(name: string): Promise<ApiTokenRecord> {
    return this.store.revokeApiToken(parseInput(TokenName, name, 'token name'));
  }

  /**
   * The token a request presents, or why it is refused. The stored hash is compared with the presented one in
   * constant time, so response timing says nothing about how much of a guess matched. `secretHash`: the secret's
   * {@link hashSecret} when the caller has it already (the server's rate limiter keys by it).
   */
  async authenticate(secret: string | undefined, secretHash?: string): Promise<ApiTokenRecord | TokenRefusal> {
    if (secret === undefined || secret === '') return 'missing';
    if (secret.length > 200) return 'unknown';
    const hash = secretHash ?? hashSecret(secret);
    const presented = Buffer.from(hash, 'hex');
    const found = await this.findStored(hash);
    if (found === null || !timingSafeEqual(Buffer.from(found.secretSha256, 'hex'), presented)) return 'unknown';
    return this.usable(found.record);
  }

  /** The stored token of a presented hash: from {@link verified} while its stamp is current, else from the store. */
  private async findStored(hash: string): Promise<{ record: ApiTokenRecord; secretSha256: string } | null> {
    // The stamp is taken before the read, so a change that lands during the read leaves the entry already stale.
    const stamp = this.store.changeStamp?.();
    if (stamp === undefined) return this.store.findApiToken(hash);
    const cached = this.verified.get(hash);
    if (cached !== undefined && cached.stamp === stamp) return cached.found;
    const found = await this.store.findApiToken(hash);
    this.verified.delete(hash);
    if (found !== null) {
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(hash, { stamp, found });
    }
    return found;
  }

  /**
   * The token named `name` as it stands now, for a caller that proved it earlier (a dashboard session opened with
   * it): a token revoked or expired since then is refused like its secret would be.
   */
  async authenticateName(name: string): Promise<ApiTokenRecord | TokenRefusal> {
    const found = (await this.store.listApiTokens()).find((t) => t.name === name);
    return found === undefined ? 'unknown' : this.usable(found);
  }

  private usable(record: ApiTokenRecord): ApiTokenRecord | TokenRefusal {
    if (record.revokedAt !== null) return 'revoked';
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= this.now().getTime()) return 'expired';
    return record;
  }
}
