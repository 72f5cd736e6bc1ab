import { z } from 'zod';
import { ModelName, Actor } from './names';
import { SemVer, VersionBump } from './semver';
import { JsonObject, MetricMap } from './json';
import { InitialStatus, type ModelStatus, type TransitionVia } from './lifecycle';

/** Lowercase hex sha256, 64 characters. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256 (64 characters)');

/** Where a version's bytes are, and what they must hash to. */
export interface ArtifactRef {
  /** `file:///…/sha256/ab/abcd…` or `gs://bucket/prefix/sha256/ab/abcd…` */
  uri: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
}

/** The state of the training code's repository when a version was registered. */
export interface GitInfo {
  commit: string;
  branch: string | null;
  dirty: boolean;
  /** sha256 of `git diff HEAD` when dirty, so two dirty states can be told apart. */
  diffSha256: string | null;
  detached: boolean;
  /** Remote URL with any credentials stripped. */
  remote: string | null;
}
/** Git capture result: the info, or null with the reason (not a repository, no commits). */
export type GitCapture = { info: GitInfo; reason: null } | { info: null; reason: string };

/** A registered model version (docs/architecture.md, "Domain"). Timestamps are UTC ISO 8601 strings. */
export interface ModelVersion {
  id: string;
  model: string;
  version: string;
  parentVersion: string | null;
  status: ModelStatus;
  artifact: ArtifactRef;
  config: JsonObject;
  metrics: MetricMap;
  experimentId: string | null;
  git: GitInfo | null;
  gitReason: string | null;
  author: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  promotedAt: string | null;
  deprecatedAt: string | null;
}

/** Input of ModelRegistry.registerVersion / `modelctl register`. */
export const RegisterVersionInput = z
  .object({
    model: ModelName,
    /** Path of a file or directory to stream into the artifact store. */
    artifactPath: z.string().min(1, 'must name a file or directory'),
    /** Declared sha256 of the artifact bytes; registration fails if the bytes differ. */
    expectedSha256: Sha256.optional(),
    mediaType: z.string().min(1).optional(),
    version: SemVer.optional(),
    bump: VersionBump.default('patch'),
    parentVersion: SemVer.optional(),
    experimentId: z.string().min(1).optional(),
    config: JsonObject.default({}),
    metrics: MetricMap.default({}),
    author: Actor,
    description: z.string().max(10_000).optional(),
    /** Directory of the training code's Git repository; defaults to the current directory. */
    gitDir: z.string().min(1).optional(),
    /** Status the version starts in: VALIDATION (trained, awaiting promotion) unless still TRAINING. */
    status: InitialStatus.default('VALIDATION'),
    /** A retried registration with the same key returns the version created the first time. */
    idempotencyKey: z.string().min(1).max(500).optional(),
  })
  .strict();
export type RegisterVersionInput = z.input<typeof RegisterVersionInput>;

/** {@link GitInfo} as a client sends it: a commit id (SHA-1 or SHA-256), and the flags consistent with each other. */
export const GitInfoInput = z
  .object({
    commit: z
      .string()
      .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, 'must be a 40- or 64-character lowercase hex commit id'),
    branch: z.string().min(1).max(255).nullable(),
    dirty: z.boolean(),
    diffSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
      .nullable(),
    detached: z.boolean(),
    remote: z.string().min(1).max(2048).nullable(),
  })
  .strict()
  .refine((g) => g.dirty === (g.diffSha256 !== null), {
    message: 'a dirty tree carries the sha256 of its diff, a clean one none',
    path: ['diffSha256'],
  })
  .refine((g) => g.detached === (g.branch === null), {
    message: 'a detached HEAD has no branch, an attached one names it',
    path: ['branch'],
  });

/** {@link GitCapture} as a client sends it: the state, or none with the reason. */
export const GitCaptureInput = z.union([
  z.object({ info: GitInfoInput, reason: z.null() }).strict(),
  z.object({ info: z.null(), reason: z.string().min(1).max(1000) }).strict(),
]);

/**
 * Input of a registration whose artifact arrives as a stream (the HTTP upload): the fields of
 * {@link RegisterVersionInput} but the path and Git directory, plus the declared length of the bytes.
 */
export const RegisterStreamInput = RegisterVersionInput.omit({ artifactPath: true, gitDir: true })
  .extend({
    expectedSizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** The Git state the uploading client captured of its own working tree; absent: none captured. */
    git: GitCaptureInput.optional(),
  })
  .strict();
export type RegisterStreamInput = z.input<typeof RegisterStreamInput>;

/** A lifecycle event: one row of the audit trail. */
export interface LifecycleEvent {
  id: number;
  model: string;
  version: string;
  fromStatus: ModelStatus | null;
  toStatus: ModelStatus;
  /** DIRECT for a plain status change (and registration), PROMOTION or ROLLBACK for the production swaps. */
  via: TransitionVia;
  actor: string;
  reason: string | null;
  workflowId: string | null;
  /** The approval a promotion waited for (`--require-approval`), on both events of its swap; else null. */
  approval: LifecycleApproval | null;
  at: string;
}

/** Who approved a promotion, and the comment they gave (null without one). */
export interface LifecycleApproval {
  approver: string;
  comment: string | null;
}

/** Reference to one version of one model, e.g. `{ model: 'fraud', version: '1.4.0' }`. */
export const VersionRef = z.object({ model: ModelName, version: SemVer }).strict();
export type VersionRef = z.infer<typeof VersionRef>;
