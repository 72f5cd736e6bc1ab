import { z } from 'zod';
import { ErrorCode, ModelctlError } from './errors';

/** Lifecycle status of a model version (docs/architecture.md, "Domain"). */
export const ModelStatus = {
  TRAINING: 'TRAINING',
  VALIDATION: 'VALIDATION',
  PRODUCTION: 'PRODUCTION',
  DEPRECATED: 'DEPRECATED',
  FAILED: 'FAILED',
} as const;
export type ModelStatus = (typeof ModelStatus)[keyof typeof ModelStatus];
export const MODEL_STATUSES = Object.values(ModelStatus);

/** How a transition is carried out; some targets are reachable only through a workflow's atomic swap. */
export const TransitionVia = {
  DIRECT: 'DIRECT',
  PROMOTION: 'PROMOTION',
  ROLLBACK: 'ROLLBACK',
} as const;
export type TransitionVia = (typeof TransitionVia)[keyof typeof TransitionVia];

/** The lifecycle table of docs/architecture.md ("Domain"), the one place in code where legal transitions are written. */
const TRANSITIONS: Record<ModelStatus, Partial<Record<ModelStatus, TransitionVia>>> = {
  TRAINING: { VALIDATION: 'DIRECT', FAILED: 'DIRECT' },
  VALIDATION: { PRODUCTION: 'PROMOTION', DEPRECATED: 'DIRECT', FAILED: 'DIRECT' },
  PRODUCTION: { DEPRECATED: 'DIRECT' },
  DEPRECATED: { PRODUCTION: 'ROLLBACK' },
  FAILED: {},
};

/**
 * Checks a transition against the lifecycle table.
 * @param via how the caller moves the version: DIRECT (a plain status change), PROMOTION or ROLLBACK (the swaps).
 * @throws ModelctlError ILLEGAL_TRANSITION naming the version, from, to and the allowed targets.
 */
export function assertTransition(
  subject: string,
  from: ModelStatus,
  to: ModelStatus,
  via: TransitionVia = 'DIRECT',
): void {
  const allowed = TRANSITIONS[from];
  const required = allowed[to];
  if (required === via) return;
  const targets = Object.entries(allowed).map(([s, how]) => (how === 'DIRECT' ? s : `${s} (via ${how.toLowerCase()})`));
  const hint = required !== undefined ? `; ${from} → ${to} is done by ${required.toLowerCase()}` : '';
  throw new ModelctlError(
    ErrorCode.ILLEGAL_TRANSITION,
    `cannot move ${subject} from ${from} to ${to}; allowed: ${targets.length > 0 ? targets.join(', ') : 'none'}${hint}`,
    { from, to, allowed: Object.keys(allowed) },
  );
}

/** Statuses a version may be registered in: still training, or trained and awaiting validation (the default). */
export const InitialStatus = z.enum([ModelStatus.TRAINING, ModelStatus.VALIDATION], {
  error: 'must be one of TRAINING, VALIDATION',
});
export type InitialStatus = z.infer<typeof InitialStatus>;
