import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a one-time login code may wait to be exchanged, in milliseconds. */
export const LOGIN_CODE_TTL_MS = 60_000;
/** How long a dashboard session lasts after login, in milliseconds (12 h). */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Most codes and sessions kept at once; beyond it the oldest are dropped, so a flood cannot grow the heap. */
export const MAX_ENTRIES = 10_000;

/** A dashboard session: the token it acts as, and the CSRF token every action must echo. */
export interface UiSession {
  /** The API token's name: the actor of everything the session does. */
  tokenName: string;
  csrfToken: string;
  /** UTC ISO 8601. */
  expiresAt: string;
}

interface Entry<T> {
  value: T;
  expiresAtMs: number;
}

const secret = (): string => randomBytes(32).toString('base64url');
const keyOf = (presented: string): string => createHash('sha256').update(presented, 'utf8').digest('hex');

/** A bounded map of secrets (kept by their sha256, like API tokens) that expire. */
class ExpiringSecrets<T> {
  private readonly entries = new Map<string, Entry<T>>();

  put(presented: string, value: T, expiresAtMs: number): void {
    const key = keyOf(presented);
    this.entries.set(key, { value, expiresAtMs });
    // A Map iterates in insertion order: the first keys are the oldest.
    for (const old of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(old);
    }
  }

  get(presented: string, nowMs: number): T | null {
    const key = keyOf(presented);
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  delete(presented: string): boolean {
    return this.entries.delete(keyOf(presented));
  }
}

/**
 * One-time login codes and the sessions they open, kept in the server process. A code maps to the token that asked
 * for it, lives {@link LOGIN_CODE_TTL_MS} and works once; the session it opens lives {@link SESSION_TTL_MS} or
 * until logout, and acts as that token (its role and scope are read again on every request, so revoking the token
 * ends the session). Behind several replicas a browser must stay on the replica that logged it in.
 */
export class UiSessions {
  private readonly codes = new ExpiringSecrets<string>();
  private readonly sessions = new ExpiringSecrets<UiSession>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** A new login code for `tokenName`. @returns the code (256 random bits, base64url) and its expiry (ISO 8601) */
  issueCode(tokenName: string): { code: string; expiresAt: string } {
    const code = secret();
    const expiresAtMs = this.now().getTime() + LOGIN_CODE_TTL_MS;
    this.codes.put(code, tokenName, expiresAtMs);
    return { code, expiresAt: new Date(expiresAtMs).toISOString() };
  }

  /**
   * Exchanges a login code for a session; the code is spent whether or not it is still valid.
   * @returns the session id (the cookie's value) and the session, or null for an unknown, used or expired code
   */
  redeem(code: string): { id: string; session: UiSession } | null {
    const tokenName = this.codes.get(code, this.now().getTime());
    this.codes.delete(code);
    if (tokenName === null) return null;
    const id = secret();
    const expiresAtMs = this.now().getTime() + SESSION_TTL_MS;
    const session: UiSession = { tokenName, csrfToken: secret(), expiresAt: new Date(expiresAtMs).toISOString() };
    this.sessions.put(id, session, expiresAtMs);
    return { id, session };
  }

  /** The live session of a cookie value, or null. */
  find(id: string): UiSession | null {
    return this.sessions.get(id, this.now().getTime());
  }

  /** Ends a session (logout); later requests with its cookie are unauthenticated. */
  end(id: string): void {
    this.sessions.delete(id);
  }
}

/** True when a presented CSRF header equals the session's token, compared in constant time. */
export function csrfMatches(session: UiSession, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(keyOf(presented), 'hex');
  const b = Buffer.from(keyOf(session.csrfToken), 'hex');
  return timingSafeEqual(a, b);
}
