import type { AbTestVerdict, AbTestParsed, AbTestResult, AbTestStatus } from '../domain/ab-test';
import type { MetricMap } from '../domain/json';
import type { GuardAlert, GuardEventRecord, GuardResult, GuardStatus } from '../domain/guard';
import type { GuardPolicyParsed } from '../domain/guard-policy';
import type { MetricSample } from '../stats/guard-checks';
import type { ModelStatus } from '../domain/lifecycle';
import type { ArtifactRef, LifecycleApproval, LifecycleEvent } from '../domain/model-version';

/** The part of a model version a workflow decides on. */
export interface VersionSummary {
  model: string;
  version: string;
  status: ModelStatus;
  metrics: MetricMap;
  artifact: ArtifactRef;
  /** True when an event shows the version was in PRODUCTION at some point. */
  wasInProduction: boolean;
}

export interface ArtifactCheck {
  model: string;
  version: string;
  ok: boolean;
  /** Why not ok: missing object, size or checksum mismatch with expected and actual. */
  reason: string | null;
  sha256: string;
  sizeBytes: number;
}

export interface SwapOutcome {
  model: string;
  version: string;
  previousVersion: string | null;
  events: LifecycleEvent[];
}

/** What tagInGit did: TAGGED (see the lists) or SKIPPED with the reason (no repository configured). */
export interface GitTagOutcome {
  status: 'TAGGED' | 'SKIPPED';
  reason: string | null;
  created: string[];
  existing: string[];
  /** Tag names already taken by something else: left alone; the workflow reports them as warnings. */
  conflicts: string[];
  pushedTo: string | null;
}

/**
 * The activities of promoteModel (rollback reuses verifyArtifact and swapProduction). Each is idempotent: a retry
 * after a crash returns the first result. User errors are non-retryable ApplicationFailures whose type is the
 * ModelctlError code.
 */
export interface PromotionActivities {
  /** The candidate and the current production version of its model. @throws NOT_FOUND */
  getPromotionContext(input: {
    model: string;
    version: string;
  }): Promise<{ candidate: VersionSummary; production: VersionSummary | null }>;
  /** Re-reads the stored artifact and checks size and sha256. Never throws for a bad artifact: `ok` says. */
  verifyArtifact(input: { model: string; version: string }): Promise<ArtifactCheck>;
  /** Moves a version to `to` (a DIRECT transition). Already there: no new event. @throws ILLEGAL_TRANSITION */
  setStatus(input: {
    model: string;
    version: string;
    to: ModelStatus;
    actor: string;
    reason: string | null;
    workflowId: string;
  }): Promise<LifecycleEvent | null>;
  /**
   * Atomic production swap, a compare-and-swap when `expectedProduction` is given (absent in recorded histories).
   * @throws ILLEGAL_TRANSITION, NOT_FOUND, CONFLICT when production is no longer `expectedProduction`
   */
  swapProduction(input: {
    model: string;
    version: string;
    via: 'PROMOTION' | 'ROLLBACK';
    actor: string;
    reason: string | null;
    workflowId: string;
    expectedProduction?: string | null;
    approval?: LifecycleApproval | null;
  }): Promise<SwapOutcome>;
}

/** The activities of rollback, beside the promotion's verifyArtifact and swapProduction. */
export interface RollbackActivities {
  /** Resolves and validates a rollback target (default: previous production version). @throws REFUSED with why */
  resolveRollbackTarget(input: {
    model: string;
    toVersion?: string;
  }): Promise<{ target: VersionSummary; current: VersionSummary | null }>;
}

/** The activities of abTest. Idempotent per test id. */
export interface AbTestActivities {
  /** Validates both versions and records the test as RUNNING (idempotent per test id). @throws NOT_FOUND, REFUSED, CONFLICT */
  startAbTest(input: {
    id: string;
    definition: AbTestParsed;
    workflowId: string;
    startedAt: string;
  }): Promise<{ id: string; salt: string }>;
  /** Analyses the outcomes recorded so far. `sequential` uses always-valid p-values (required to stop early). */
  analyzeAbTest(input: { id: string; sequential: boolean }): Promise<AbTestVerdict>;
  /**
   * Whether test `id` may auto-promote its winning treatment now: only while production is the control (or the
   * treatment already, or none), never over a version promoted meanwhile (a hotfix). `expectedProduction` is what the
   * promotion must find and compare-and-swap on; `refusal` the line the result carries when it may not.
   * @throws NOT_FOUND
   */
  abTestPromotionCheck(input: { id: string }): Promise<{ expectedProduction: string | null; refusal: string | null }>;
  /** Records the final status and result of a test. */
  finishAbTest(input: { id: string; status: AbTestStatus; result: AbTestResult }): Promise<void>;
  /**
   * The model's stored default guard policy (`modelctl guard policy set`), validated, or null when none is stored:
   * what guards a winner promoted by a test whose input names no policy. @throws INVALID_INPUT (a stored policy
   * that no longer validates, naming the field)
   */
  abTestGuardPolicy(input: { model: string }): Promise<GuardPolicyParsed | null>;
}

/** One window of observations a guard reads: a version's metric over [from, to), with quantiles. */
export interface GuardObservationQuery {
  version: string;
  metric: string;
  from: string;
  to: string;
  quantiles: number[];
}

/** The store activities of guardModel. Idempotent per guard id (and per sequence number for events). */
export interface GuardActivities {
  /**
   * Checks the guarded version is in PRODUCTION, resolves the baseline version (the policy's, else the previous
   * production version; null when the policy has no relative check and none exists) and records the guard.
   * @throws NOT_FOUND (version), REFUSED (not in production; relative checks without a baseline)
   */
  startGuard(input: {
    guardId: string;
    model: string;
    version: string;
    policy: GuardPolicyParsed;
    actor: string;
    workflowId: string;
    startedAt: string;
  }): Promise<{ baselineVersion: string | null }>;
  /** The model's production version now and the sums of each queried window (see MetricSample). */
  readGuardObservations(input: {
    model: string;
    queries: GuardObservationQuery[];
  }): Promise<{ productionVersion: string | null; samples: MetricSample[] }>;
  /** Stores one check or alert (once per guard, kind and sequence number). */
  recordGuardEvent(input: GuardEventRecord): Promise<void>;
  /** Stores the guard's status (and result once ended). */
  updateGuard(input: {
    guardId: string;
    status: GuardStatus;
    endedAt: string | null;
    result: GuardResult | null;
  }): Promise<void>;
  /**
   * Delivers one alert to one webhook, signed (Standard Webhooks, X-Modelctl-Signature), and records the attempt
   * with its HTTP status or error; a non-2xx answer or no answer throws UNAVAILABLE, so Temporal retries with backoff.
   * The webhook-id is the same on every attempt (`<guard id>-alert-<seq>`): receivers drop duplicates by it.
   */
  deliverGuardWebhook(input: {
    guardId: string;
    model: string;
    version: string;
    alert: GuardAlert;
    url: string;
    secret: string;
  }): Promise<{ statusCode: number; attempt: number }>;
  /**
   * Opens the TRAINING experiment of a `retrain` action (id from the contract, so a retry finds it), linked to the
   * degraded version and tagged with the evidence. Returns its id.
   */
  openRetrainExperiment(input: { guardId: string; model: string; version: string; evidence: string }): Promise<string>;
}

/** The store and artifact activities the workflows call (every workflow's own factory, merged). */
export type RegistryActivities = PromotionActivities & RollbackActivities & AbTestActivities & GuardActivities;

/** What noteInWandb mirrors: a production swap, or the result of an A/B test. */
export type WandbNote =
  | {
      kind: 'promotion' | 'rollback';
      model: string;
      version: string;
      previousVersion: string | null;
      actor: string;
      reason: string | null;
      workflowId: string;
    }
  | { kind: 'abtest'; id: string; result: AbTestResult };

/** SENT (online), KEPT_OFFLINE (waits for `modelctl wandb sync`) or OFF with the reason. */
export interface WandbNoteOutcome {
  status: 'SENT' | 'KEPT_OFFLINE' | 'OFF';
  runId: string | null;
  experimentId: string | null;
  reason: string | null;
}

/**
 * Best-effort side effects after a decision (Git tags, W&B notes): retried by Temporal a bounded number of times,
 * then reported as a warning in the workflow result; they never fail a promotion, A/B test or rollback.
 */
export interface SideEffectActivities {
  /**
   * Writes the missing lifecycle tags of `model` (GTO scheme, see src/integrations/git-tags.ts) into the configured
   * repository, and pushes them when configured. Idempotent. No repository: SKIPPED. @throws CONFIGURATION
   */
  tagInGit(input: { model: string }): Promise<GitTagOutcome>;
  /** Mirrors a note to W&B (see src/activities/wandb-notes.ts). Off: OFF. @throws UNAVAILABLE (retryable) */
  noteInWandb(input: WandbNote): Promise<WandbNoteOutcome>;
  /** Appends warnings to the experiment the note belongs to (none: nothing). Returns the experiment id or null. */
  recordExperimentWarnings(input: { note: WandbNote; warnings: string[] }): Promise<string | null>;
}
