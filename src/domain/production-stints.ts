import type { LifecycleEvent } from './model-version';

/** One stretch of time during which a version served a model in PRODUCTION. */
export interface ProductionStint {
  version: string;
  /** When it entered PRODUCTION (UTC ISO 8601). */
  from: string;
  /** When it left PRODUCTION, or null while it still serves. */
  to: string | null;
  /** Who put it there, why, how (PROMOTION, ROLLBACK, DIRECT) and under which workflow: the entering event's fields. */
  actor: string;
  reason: string | null;
  via: LifecycleEvent['via'];
  workflowId: string | null;
}

/**
 * The production timeline of a model from its audit events: each move into PRODUCTION opens a stint, the version's
 * next move out of PRODUCTION closes it. Events must be one model's, oldest first (as the store returns them).
 * @returns the stints in the order they began; at most the last one is open (`to` null)
 */
export function productionStints(events: readonly LifecycleEvent[]): ProductionStint[] {
  const stints: ProductionStint[] = [];
  const open = new Map<string, ProductionStint>();
  for (const e of events) {
    if (e.fromStatus === 'PRODUCTION' && e.toStatus !== 'PRODUCTION') {
      const stint = open.get(e.version);
      if (stint !== undefined) stint.to = e.at;
      open.delete(e.version);
    }
    if (e.toStatus === 'PRODUCTION') {
      const stint: ProductionStint = {
        version: e.version,
        from: e.at,
        to: null,
        actor: e.actor,
        reason: e.reason,
        via: e.via,
        workflowId: e.workflowId,
      };
      stints.push(stint);
      open.set(e.version, stint);
    }
  }
  return stints;
}
