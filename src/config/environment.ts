import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { integerText } from '../domain/strict-number';
import { SQLITE_FILE } from '../store/open-store';

/**
 * modelctl's configuration (docs/architecture.md, "Configuration"), read from the environment; CLI flags override by passing their own values.
 * Every field is validated: an error names the variable and the allowed forms.
 */
/** A URI scheme (`file:`, `gs:`, `s3:` …); an ARTIFACT_STORE without one is a directory path. */
const URL_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** The longest task queue name a Temporal server accepts by default (dynamic config limit.maxIDLength). */
export const TASK_QUEUE_MAX_LENGTH = 1000;

export const ModelctlEnvironment = z.object({
  MODELCTL_HOME: z.string().min(1).default('./.modelctl'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL (unset: SQLite in MODELCTL_HOME)')
    .optional(),
  ARTIFACT_STORE: z
    .string()
    .refine(
      (v) => /^(file:\/\/\/|gs:\/\/[^/]+)/.test(v) || !URL_SCHEME.test(v),
      'must be a directory path, file:///absolute/path or gs://bucket[/prefix]',
    )
    .optional(),
  STORAGE_EMULATOR_HOST: z.string().min(1).optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port, e.g. localhost:7233')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  // Temporal refuses longer names (its limit.maxIDLength) only once a workflow starts or a worker polls.
  TEMPORAL_TASK_QUEUE: z
    .string()
    .min(1)
    .max(TASK_QUEUE_MAX_LENGTH, `must be at most ${TASK_QUEUE_MAX_LENGTH} characters (Temporal's limit)`)
    .default('modelctl'),
  MODELCTL_TEMPORAL_PORT: integerText(z.number().int().min(1).max(65535)).default(7233),
  MODELCTL_TEMPORAL_UI_PORT: integerText(z.number().int().min(1).max(65535)).default(8233),
  TEMPORAL_UI_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http:// or https:// URL, e.g. http://localhost:8233')
    .optional(),
  MODELCTL_GIT_REPO: z.string().min(1).optional(),
  MODELCTL_GIT_PUSH: z
    .enum(['0', '1', 'true', 'false'], { error: "must be '1' or 'true' (push tags to origin), '0' or 'false'" })
    .optional(),
  WANDB_API_KEY: z.string().min(1).optional(),
  WANDB_PROJECT: z.string().min(1).default('modelctl'),
  WANDB_MODE: z
    .enum(['online', 'offline', 'disabled'], { error: "must be one of 'online', 'offline', 'disabled'" })
    .optional(),
  WANDB_BASE_URL: z.string().url().optional(),
});

/**
 * Variables that name where the registry lives: an empty value is a mistake (an unset shell variable), not a request
 * for the default registry, which would then be written instead.
 */
export const NOT_EMPTY = [
  'MODELCTL_HOME',
  'DATABASE_URL',
  'ARTIFACT_STORE',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
] as const satisfies readonly (keyof z.input<typeof ModelctlEnvironment>)[];

/** Resolved configuration with absolute paths and defaults applied. */
export interface ModelctlConfig {
  home: string;
  /** `sqlite:<path>` or the PostgreSQL URL. */
  databaseUrl: string | null;
  sqlitePath: string;
  artifactStore: string;
  temporal: {
    address: string | null;
    namespace: string;
    taskQueue: string;
    embeddedPort: number;
    embeddedUiPort: number;
    /** Base URL of the Temporal Web UI (TEMPORAL_UI_URL); null: the embedded server's UI when it runs, else none. */
    uiUrl: string | null;
  };
  gitRepo: string | null;
  /** Push lifecycle tags to the repository's `origin`. */
  gitPush: boolean;
  wandb: { apiKey: string | null; project: string; mode: 'online' | 'offline' | 'disabled'; baseUrl: string | null };
}

/**
 * Reads the configuration from `env` (default process.env) with `overrides` (CLI flags) on top.
 * @throws ModelctlError INVALID_INPUT naming the variable (an empty {@link NOT_EMPTY} variable included).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof z.input<typeof ModelctlEnvironment>, string>> = {},
): ModelctlConfig {
  const merged: Record<string, string | undefined> = {};
  for (const key of Object.keys(ModelctlEnvironment.shape)) {
    const value = (overrides as Record<string, string | undefined>)[key] ?? env[key];
    if (value === '' && (NOT_EMPTY as readonly string[]).includes(key)) {
      throw new ModelctlError(ErrorCode.INVALID_INPUT, `invalid ${key}: must not be empty (unset it for the default)`);
    }
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const e = parseInput(ModelctlEnvironment, merged, 'environment');
  const home = resolve(e.MODELCTL_HOME);
  const mode = e.WANDB_MODE ?? (e.WANDB_API_KEY ? 'online' : 'disabled');
  return {
    home,
    databaseUrl: e.DATABASE_URL ?? null,
    sqlitePath: resolve(home, SQLITE_FILE),
    // A plain directory path (relative to the working directory) becomes its file:// URL.
    artifactStore:
      e.ARTIFACT_STORE === undefined
        ? pathToFileURL(resolve(home, 'artifacts')).href
        : URL_SCHEME.test(e.ARTIFACT_STORE)
          ? e.ARTIFACT_STORE
          : pathToFileURL(resolve(e.ARTIFACT_STORE)).href,
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? null,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      embeddedPort: e.MODELCTL_TEMPORAL_PORT,
      embeddedUiPort: e.MODELCTL_TEMPORAL_UI_PORT,
      // Without a trailing slash, so links append `/namespaces/...` to it.
      uiUrl: e.TEMPORAL_UI_URL === undefined ? null : e.TEMPORAL_UI_URL.replace(/\/+$/, ''),
    },
    gitRepo: e.MODELCTL_GIT_REPO === undefined ? null : resolve(e.MODELCTL_GIT_REPO),
    gitPush: e.MODELCTL_GIT_PUSH === '1' || e.MODELCTL_GIT_PUSH === 'true',
    wandb: { apiKey: e.WANDB_API_KEY ?? null, project: e.WANDB_PROJECT, mode, baseUrl: e.WANDB_BASE_URL ?? null },
  };
}
