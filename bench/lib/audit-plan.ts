/**
 * The lifecycle history the dashboard benchmark seeds: a model with `versions` versions and exactly `events` audit
 * events, built from the operations a registry sees (registrations, promotions, rollbacks, a failed validation), so
 * the model page gets a realistic production timeline rather than rows inserted behind the store's back.
 */
import { assertTransition, type ModelStatus, type TransitionVia } from '../../src/domain/lifecycle';

/** One store call of the plan; each names the version it moves. */
export type AuditOp =
  | { op: 'register'; version: string }
  | { op: 'promote'; version: string }
  | { op: 'rollback'; version: string }
  | { op: 'fail'; version: string };

/** The i-th version name (0-based): 1.<i div 100>.<i mod 100>, so semver order differs from text order. */
export function versionName(i: number): string {
  return `1.${Math.floor(i / 100)}.${i % 100}`;
}

/**
 * Registers every version (VALIDATION), promotes all but the last in order, rejects the last (VALIDATION → FAILED)
 * and spreads rollbacks over the promotions: after promoting version i, alternately back to version i − 1 and
 * forward to i again (both DEPRECATED then). Events: versions (registrations) + 1 (the failure) + 2 × (versions − 1)
 * − 1 (promotions, the first with nothing to replace) + 2 × rollbacks.
 * @throws Error when `events` cannot be reached exactly with these operations
 */
export function auditPlan(versions: number, events: number): AuditOp[] {
  if (!Number.isInteger(versions) || versions < 3) throw new Error(`versions must be an integer ≥ 3, got ${versions}`);
  const base = versions + 1 + 2 * (versions - 1) - 1;
  const rollbacks = (events - base) / 2;
  const slots = versions - 2; // promotions of versions 1 … versions − 2 each have a predecessor to roll back to
  if (!Number.isInteger(rollbacks) || rollbacks < 0)
    throw new Error(`events must be ${base} + an even number for ${versions} versions, got ${events}`);
  const ops: AuditOp[] = [];
  for (let i = 0; i < versions; i++) ops.push({ op: 'register', version: versionName(i) });
  // Rollbacks per promotion, as even as the count allows (the first `extra` promotions get one more).
  const each = slots === 0 ? 0 : Math.floor(rollbacks / slots);
  const extra = slots === 0 ? 0 : rollbacks - each * slots;
  if (slots === 0 && rollbacks > 0) throw new Error(`no promotion can be rolled back with ${versions} versions`);
  for (let i = 0; i < versions - 1; i++) {
    ops.push({ op: 'promote', version: versionName(i) });
    if (i === 0) continue;
    const n = each + (i - 1 < extra ? 1 : 0);
    for (let k = 0; k < n; k++) ops.push({ op: 'rollback', version: versionName(k % 2 === 0 ? i - 1 : i) });
  }
  ops.push({ op: 'fail', version: versionName(versions - 1) });
  return ops;
}

/** An audit event as the plan writes it (lifecycle_events without its id). */
export interface PlannedEvent {
  version: string;
  fromStatus: ModelStatus | null;
  toStatus: ModelStatus;
  via: TransitionVia;
  actor: string;
  reason: string;
  at: string;
}

/** What replaying a plan leaves: each version's status and timestamps, and every event in order. */
export interface Replayed {
  versions: Map<string, { status: ModelStatus; promotedAt: string | null; deprecatedAt: string | null }>;
  events: PlannedEvent[];
}

/**
 * Replays `ops` as the store would (its swap writes the old version's exit, then the new one's entry), each move
 * checked against the lifecycle table (assertTransition), one operation every `stepMs` from `start`.
 * @throws ModelctlError ILLEGAL_TRANSITION for a plan the registry would refuse
 */
export function replay(ops: readonly AuditOp[], start: string, stepMs: number): Replayed {
  const versions: Replayed['versions'] = new Map();
  const events: PlannedEvent[] = [];
  let production: string | null = null;
  let clock = Date.parse(start);
  const move = (version: string, to: ModelStatus, via: TransitionVia, actor: string, reason: string, at: string) => {
    const v = versions.get(version)!;
    assertTransition(version, v.status, to, via === 'DIRECT' || to === 'DEPRECATED' ? 'DIRECT' : via);
    events.push({ version, fromStatus: v.status, toStatus: to, via, actor, reason, at });
    v.status = to;
    if (to === 'PRODUCTION') [v.promotedAt, v.deprecatedAt] = [at, null];
    if (to === 'DEPRECATED') v.deprecatedAt = at;
  };
  for (const op of ops) {
    const at = new Date((clock += stepMs)).toISOString();
    if (op.op === 'register') {
      if (versions.has(op.version)) throw new Error(`${op.version} registered twice`);
      versions.set(op.version, { status: 'VALIDATION', promotedAt: null, deprecatedAt: null });
      events.push({
        version: op.version,
        fromStatus: null,
        toStatus: 'VALIDATION',
        via: 'DIRECT',
        actor: 'trainer',
        reason: 'registered',
        at,
      });
    } else if (op.op === 'fail') {
      move(op.version, 'FAILED', 'DIRECT', 'ci', 'auc gate failed', at);
    } else {
      const via = op.op === 'promote' ? 'PROMOTION' : 'ROLLBACK';
      const [actor, reason] = op.op === 'promote' ? ['release-bot', 'gates passed'] : ['oncall', 'latency regression'];
      if (production !== null) move(production, 'DEPRECATED', via, actor, `replaced by ${op.version}: ${reason}`, at);
      move(op.version, 'PRODUCTION', via, actor, reason, at);
      production = op.version;
    }
  }
  return { versions, events };
}
