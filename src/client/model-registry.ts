import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import type { CreateExperimentInput, MetricPoint, MetricPointInput, UpdateExperimentInput } from '../domain/experiment';
import { MetricKey } from '../domain/experiment';
import {
  RegisterStreamInput,
  RegisterVersionInput,
  VersionRef,
  type ArtifactRef,
  type GitCapture,
  type ModelVersion,
} from '../domain/model-version';
import { ModelName } from '../domain/names';
import { latestStableVersion } from '../domain/semver';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { createArtifactStore } from '../artifacts/create-artifact-store';
import { loadConfig, type ModelctlConfig } from '../config/environment';
import { requireVersion } from '../store/lookups';
import { openStore } from '../store/open-store';
import { captureGit, stripCredentials } from '../integrations/git';
import { syncLifecycleTags, type GitTagTarget } from '../integrations/git-tags';
import type { Experiment, RegistryStore } from '../store/registry-store';
import { compareMetrics, NO_SAMPLES_NOTE, type VersionComparison } from './compare';
import { metricTrend, type MetricTrend } from './trend';
import { AttachEvaluationInput, EvalSetName, type EvaluationSummary } from '../domain/evaluation';
import { compareEvaluations, type SignificanceOptions } from '../stats/version-significance';
import { buildReport, modelHistory, type ModelHistory, type RegistryReport } from './report';
import { IsoTimestamp } from '../domain/timestamp';
import type { GuardEventRecord, GuardRecord, StoredGuardPolicy } from '../domain/guard';
import {
  MAX_OBSERVATIONS_PER_BATCH,
  ObservationInput,
  type ObservationAggregate,
  type ObservationQuery,
} from '../domain/observation';
import { z } from 'zod';
import type { Readable } from 'node:stream';
import { sliceStream } from './slice-stream';

/** Captures the Git state of the training code's repository (src/integrations/git.ts). Never throws for a non-repository. */
export type CaptureGit = (dir: string) => Promise<GitCapture>;

/** What a ModelRegistry works on. */
export interface ModelRegistryDeps {
  store: RegistryStore;
  artifacts: ArtifactStore;
  /** Default: captureGit of src/integrations/git.ts. */
  captureGit?: CaptureGit;
  /** Clock of report timestamps; default the system clock. */
  now?: () => Date;
  /** Repository that receives the `<model>@v<version>` tag of each registration (MODELCTL_GIT_REPO); absent: none. */
  gitTags?: GitTagTarget | null;
}

/** Options of {@link ModelRegistry.open}. */
export interface OpenRegistryOptions {
  /** Default: loadConfig() from the environment (MODELCTL_HOME, DATABASE_URL, ARTIFACT_STORE …). */
  config?: ModelctlConfig;
  captureGit?: CaptureGit;
  now?: () => Date;
}

/** Result of {@link ModelRegistry.getExperimentResults}: the experiment and a bounded view of every series. */
export interface ExperimentResults {
  experiment: Experiment;
  /** Per metric key, at most `maxPoints` points (LTTB; first and last kept). */
  series: Record<string, MetricPoint[]>;
}

/** Result of {@link ModelRegistry.production}: which version serves a model now or at a past time. */
export interface ProductionAnswer {
  model: string;
  /** The time asked about (UTC ISO 8601), or null for now. */
  at: string | null;
  /** The version in PRODUCTION then, or null when none was. */
  version: string | null;
  /** That version's record, or null (none in production, or deleted since). */
  modelVersion: ModelVersion | null;
  /** When that version entered PRODUCTION for the stint that covers the time asked about, or null. */
  since: string | null;
}

const CompareMetricNames = z.array(MetricKey).min(1, 'name at least one metric, or omit the list').optional();
const TrendOptions = z.object({ evalSet: EvalSetName.optional(), lowerIsBetter: z.boolean().optional() }).strict();
const CompareOptions = z
  .object({
    alpha: z.number().gt(0, 'must be greater than 0').max(0.5, 'must be at most 0.5').optional(),
    lowerIsBetter: z.array(MetricKey).max(1000).optional(),
  })
  .strict();
const ResultsOptions = z
  .object({
    maxPoints: z.number().int().min(2).max(100_000).default(500),
    stepFrom: z.number().int().min(0).optional(),
    stepTo: z.number().int().min(0).optional(),
  })
  .strict();

/**
 * The typed library API of the registry (docs/architecture.md, "Interfaces"), the part that needs no Temporal: registering versions,
 * reading them, history, comparison, experiments and the JSON report. Promotion, A/B tests and rollback run as
 * workflows through LifecycleClient. Every method validates its input (INVALID_INPUT naming the field).
 */
export class ModelRegistry {
  private readonly now: () => Date;
  private readonly captureGit: CaptureGit;

  constructor(private readonly deps: ModelRegistryDeps) {
    this.now = deps.now ?? (() => new Date());
    this.captureGit = deps.captureGit ?? captureGit;
  }

  /**
   * Opens the store named by the configuration (PostgreSQL when DATABASE_URL is set, else SQLite in MODELCTL_HOME;
   * migrations run) and the artifact store of ARTIFACT_STORE.
   * @throws ModelctlError INVALID_INPUT (environment), CONFIGURATION, UNAVAILABLE
   */
  static async open(options: OpenRegistryOptions = {}): Promise<ModelRegistry> {
    const config = options.config ?? loadConfig();
    const artifacts = createArtifactStore(config.artifactStore);
    const store = await openStore({
      ...(config.databaseUrl !== null ? { databaseUrl: config.databaseUrl } : {}),
      sqlitePath: config.sqlitePath,
      home: config.home,
    });
    const gitTags = config.gitRepo === null ? null : { repoDir: config.gitRepo, push: config.gitPush };
    return new ModelRegistry({
      store,
      artifacts,
      gitTags,
      ...(options.captureGit ? { captureGit: options.captureGit } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** The underlying store, for activities and reports that need more than this API. */
  get store(): RegistryStore {
    return this.deps.store;
  }

  /**
   * Registers a version: streams the artifact into the artifact store (sha256 computed while streaming and checked
   * against `expectedSha256`), captures Git for `gitDir` (default the current directory), then creates the version
   * (explicit, or `bump` of the highest; 1.0.0 first). The version exists only once its artifact is stored and
   * verified; when the put fails, nothing is registered. A failed registration after the put leaves only an
   * unreferenced content-addressed object, which a later put of the same bytes reuses.
   * @throws ModelctlError INVALID_INPUT, ALREADY_EXISTS, NOT_FOUND (parent, experiment), ARTIFACT_MISSING, CHECKSUM_MISMATCH
   */
  async registerVersion(raw: RegisterVersionInput): Promise<ModelVersion> {
    const input = parseInput(RegisterVersionInput, raw, 'registerVersion input');
    await this.refuseTakenVersion(input);
    const artifact = await this.deps.artifacts.put(input.artifactPath, {
      expectedSha256: input.expectedSha256,
      mediaType: input.mediaType,
    });
    return this.createRegistered(input, artifact, await this.captureGitSafely(input.gitDir ?? process.cwd()));
  }

  /**
   * Registers a version whose artifact bytes arrive as `source` (an HTTP upload): streamed into the artifact store
   * with the sha256 computed on the way and checked, with the length, against the declared values; a stream that
   * errors or ends short leaves no object and no version. The Git state is the one the client sent (`input.git`, a
   * remote's credentials stripped), else none: the server cannot see the caller's working tree.
   * Refused before the put (bad input, version taken), `source` is left unread: its owner decides (an HTTP server
   * drains it so the client can read the answer).
   * @throws ModelctlError INVALID_INPUT, ALREADY_EXISTS, NOT_FOUND (parent, experiment), CHECKSUM_MISMATCH
   */
  async registerVersionStream(raw: RegisterStreamInput, source: Readable): Promise<ModelVersion> {
    const input = parseInput(RegisterStreamInput, raw, 'registration');
    await this.refuseTakenVersion(input);
    const artifact = await this.deps.artifacts.putStream(source, {
      expectedSizeBytes: input.expectedSizeBytes,
      expectedSha256: input.expectedSha256,
      mediaType: input.mediaType,
    });
    const git: GitCapture =
      input.git === undefined
        ? { info: null, reason: 'uploaded: no Git state captured' }
        : input.git.info === null
          ? { info: null, reason: input.git.reason }
          : {
              info: { ...input.git.info, remote: input.git.info.remote && stripCredentials(input.git.info.remote) },
              reason: null,
            };
    return this.createRegistered(input, artifact, git);
  }

  /** Fails before streaming a large artifact when the answer is already known. @throws ModelctlError ALREADY_EXISTS */
  private async refuseTakenVersion(input: { model: string; version?: string | undefined }): Promise<void> {
    if (input.version !== undefined && (await this.deps.store.getVersion(input.model, input.version)) !== null) {
      throw new ModelctlError(
        ErrorCode.ALREADY_EXISTS,
        `model version ${input.model}@${input.version} already exists`,
        { model: input.model, version: input.version },
      );
    }
  }

  /** Creates the version once its artifact is stored, and writes its registration tag. */
  private async createRegistered(
    input: Omit<z.output<typeof RegisterStreamInput>, 'expectedSizeBytes'>,
    artifact: ArtifactRef,
    git: GitCapture,
  ): Promise<ModelVersion> {
    const created = await this.deps.store.createVersion({
      model: input.model,
      version: input.version,
      bump: input.bump,
      parentVersion: input.parentVersion ?? null,
      status: input.status,
      artifact,
      config: input.config,
      metrics: input.metrics,
      experimentId: input.experimentId ?? null,
      git: git.info,
      gitReason: git.reason,
      author: input.author,
      description: input.description ?? null,
      idempotencyKey: input.idempotencyKey,
    });
    await this.tagRegistration(created);
    return created;
  }

  /**
   * Writes the registration tag (and any lifecycle tag still missing) when a repository is configured. Best-effort:
   * the version is registered either way; a failure is a process warning, and the next promotion's tagInGit catches up.
   */
  private async tagRegistration(v: ModelVersion): Promise<void> {
    const target = this.deps.gitTags;
    if (!target) return;
    try {
      const versions = (await this.deps.store.listVersions(v.model)).map((x) => ({
        version: x.version,
        commit: x.git?.commit ?? null,
      }));
      await syncLifecycleTags(target, v.model, versions, await this.deps.store.events(v.model));
    } catch (err) {
      process.emitWarning(
        `registered ${v.model}@${v.version}, but its Git tag was not written: ${err instanceof Error ? err.message : String(err)}`,
        'ModelctlWarning',
      );
    }
  }

  private async captureGitSafely(dir: string): Promise<GitCapture> {
    try {
      return await this.captureGit(dir);
    } catch (err) {
      // Provenance is recorded when it can be; it never blocks a registration.
      return { info: null, reason: `git capture failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /** One version, or null. */
  getVersion(model: string, version: string): Promise<ModelVersion | null> {
    return this.deps.store.getVersion(model, version);
  }

  /** A model's versions in ascending semver precedence. */
  listVersions(model: string): Promise<ModelVersion[]> {
    return this.deps.store.listVersions(model);
  }

  /**
   * The artifact bytes of a version, whole or the inclusive byte range `[start, end]` of them that `rangeOf` picks
   * once the artifact's size (bytes) is known (an HTTP Range header is resolved that way).
   * @returns the version, the range (undefined: whole) and a stream of the bytes asked for
   * @throws ModelctlError NOT_FOUND (version), ARTIFACT_MISSING (object gone from the store), INVALID_INPUT (range
   *   outside the artifact)
   */
  async openArtifact(
    model: string,
    version: string,
    rangeOf: (sizeBytes: number) => { start: number; end: number } | undefined = () => undefined,
  ): Promise<{ modelVersion: ModelVersion; range: { start: number; end: number } | undefined; body: Readable }> {
    const found = await requireVersion(this.deps.store, model, version);
    const size = found.artifact.sizeBytes;
    const range = rangeOf(size);
    if (range !== undefined && (range.start < 0 || range.end < range.start || range.end >= size))
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `range ${range.start}-${range.end} is outside the artifact of ${model}@${version} (${size} bytes)`,
      );
    const whole = await this.deps.artifacts.openRead(found.artifact);
    return {
      modelVersion: found,
      range,
      body: range === undefined ? whole : sliceStream(whole, range.start, range.end),
    };
  }

  /** The version in PRODUCTION, or null. */
  productionVersion(model: string): Promise<ModelVersion | null> {
    return this.deps.store.productionVersion(model);
  }

  /**
   * The version in PRODUCTION now, or at `at` (ISO 8601 with a time zone), answered from the audit events.
   * @throws ModelctlError NOT_FOUND when the model has no versions, INVALID_INPUT (model name, `at`)
   */
  async production(model: string, at?: string): Promise<ProductionAnswer> {
    const name = parseInput(ModelName, model, 'model');
    const when = at === undefined ? null : parseInput(IsoTimestamp, at, 'time');
    await this.requireModel(name);
    if (when === null) {
      const current = await this.deps.store.productionVersion(name);
      return {
        model: name,
        at: null,
        version: current?.version ?? null,
        modelVersion: current,
        since: current?.promotedAt ?? null,
      };
    }
    const version = await this.deps.store.productionAt(name, when);
    if (version === null) return { model: name, at: when, version, modelVersion: null, since: null };
    // The version's record holds its latest promotion; the stint that covers `when` began at the last entry before it.
    const entries = (await this.deps.store.events(name, version)).filter(
      (e) => e.toStatus === 'PRODUCTION' && Date.parse(e.at) <= Date.parse(when),
    );
    return {
      model: name,
      at: when,
      version,
      modelVersion: await this.deps.store.getVersion(name, version),
      since: entries[entries.length - 1]?.at ?? null,
    };
  }

  /**
   * A model's versions in ascending semver precedence.
   * @throws ModelctlError NOT_FOUND when the model has no versions
   */
  async requireModel(model: string): Promise<ModelVersion[]> {
    const name = parseInput(ModelName, model, 'model');
    const versions = await this.deps.store.listVersions(name);
    if (versions.length === 0)
      throw new ModelctlError(ErrorCode.NOT_FOUND, `model ${name} has no versions`, { model: name });
    return versions;
  }

  /**
   * A metric across a model's versions in semver order: each version's final value, its evaluation mean, and the
   * difference against its parent where both carry evaluation samples of the metric (see metricTrend), with a
   * regression flag Holm-adjusted across the trend.
   * @param options `evalSet` (default the first set, by name, that holds the metric), `lowerIsBetter`.
   * @throws ModelctlError NOT_FOUND when the model has no versions, or no version has the metric (naming those there are)
   */
  async trend(
    model: string,
    metric: string,
    options: { evalSet?: string; lowerIsBetter?: boolean } = {},
  ): Promise<MetricTrend> {
    const name = parseInput(MetricKey, metric, 'metric');
    const parsed = parseInput(TrendOptions, options, 'trend options');
    // requireModel's check on the trend's narrower read: the full rows took most of the trend's time.
    const modelName = parseInput(ModelName, model, 'model');
    const versions = await this.deps.store.listVersionSummaries(modelName);
    if (versions.length === 0)
      throw new ModelctlError(ErrorCode.NOT_FOUND, `model ${modelName} has no versions`, { model: modelName });
    // One read for the model: a query per version held the (synchronous) SQLite connection for a minute at 10,000.
    const series = await this.deps.store.modelEvaluationSeries(versions[0]!.model);
    const known = new Set([
      ...versions.flatMap((v) => Object.keys(v.metrics)),
      ...[...series.values()].flat().map((s) => s.metric),
    ]);
    if (!known.has(name)) {
      throw new ModelctlError(
        ErrorCode.NOT_FOUND,
        `no version of ${versions[0]!.model} has metric ${name}; its metrics: ${[...known].sort().join(', ') || 'none'}`,
        { metric: name },
      );
    }
    return metricTrend(versions[0]!.model, name, versions, series, parsed);
  }

  /**
   * The latest stable version of a model: the highest by semver precedence that is not a prerelease, whatever its
   * status (`1.2.0` is returned while `1.3.0-rc.1` is the highest version).
   * @throws ModelctlError NOT_FOUND when the model has no versions, or only prereleases (naming them)
   */
  async latestStable(model: string): Promise<ModelVersion> {
    return latestStableOf(await this.requireModel(model));
  }

  /**
   * Every version of a model with its status timeline, plus the current and previous production versions.
   * @throws ModelctlError NOT_FOUND when the model has no versions
   */
  async history(model: string): Promise<ModelHistory> {
    const name = parseInput(ModelName, model, 'model');
    const h = await modelHistory(this.deps.store, name);
    if (h.versions.length === 0)
      throw new ModelctlError(ErrorCode.NOT_FOUND, `model ${name} has no versions`, { model: name });
    return h;
  }

  /**
   * Side-by-side final metrics of two versions (of the same or different models), b against a: absolute `b − a`
   * and relative `(b − a) / |a|` differences; and, for every (evaluation set, metric) both were evaluated on, the
   * difference with its confidence interval, p-value (paired tests when the unit ids match, Holm across the
   * metrics) and a verdict (see compareEvaluations in src/stats).
   * @param metrics names to compare, in order; default every metric either version has (final or evaluated).
   * @param options `alpha` (default 0.05) and `lowerIsBetter` (metrics where a decrease is the improvement).
   * @throws ModelctlError NOT_FOUND, INVALID_INPUT
   */
  async compareVersions(
    a: VersionRef,
    b: VersionRef,
    metrics?: string[],
    options: SignificanceOptions = {},
  ): Promise<VersionComparison> {
    const refA = parseInput(VersionRef, a, 'version a');
    const refB = parseInput(VersionRef, b, 'version b');
    const names = parseInput(CompareMetricNames, metrics, 'metrics');
    const settings = parseInput(CompareOptions, options, 'compare options');
    const [va, vb] = await Promise.all([this.requireVersion(refA), this.requireVersion(refB)]);
    const [ea, eb] = await Promise.all([
      this.deps.store.evaluationSeries(va.model, va.version),
      this.deps.store.evaluationSeries(vb.model, vb.version),
    ]);
    const evaluated = new Set([...ea, ...eb].map((s) => s.metric));
    // A metric neither version has is a typo, not a row of blanks.
    const final = [...new Set([...Object.keys(va.metrics), ...Object.keys(vb.metrics)])].sort();
    const known = [...new Set([...final, ...evaluated])].sort();
    const unknown = (names ?? []).filter((n) => !known.includes(n));
    if (unknown.length > 0) {
      throw new ModelctlError(
        ErrorCode.NOT_FOUND,
        `neither ${va.model}@${va.version} nor ${vb.model}@${vb.version} has metric ${unknown.join(', ')}; their metrics: ${known.join(', ') || 'none'}`,
        { metrics: unknown },
      );
    }
    const wanted = (metric: string) => names === undefined || names.includes(metric);
    const comparison = compareMetrics(
      va,
      vb,
      names?.filter((n) => final.includes(n)),
    );
    const significance = compareEvaluations(
      ea.filter((s) => wanted(s.metric)),
      eb.filter((s) => wanted(s.metric)),
      settings,
    );
    return {
      ...comparison,
      significance,
      significanceNote: significance.length > 0 ? null : NO_SAMPLES_NOTE,
    };
  }

  /**
   * Attaches evaluation samples to a version: per-unit values of metrics on a named evaluation set (default
   * `default`), e.g. `{ unit: 'digit-17', metric: 'correct', value: 1 }` per held-out example, or per-episode returns
   * under fixed seeds. Replaces what the version held for that set, so attaching the same samples again is a no-op.
   * At most 1,000,000 samples per call; each (unit, metric) once.
   * @throws ModelctlError NOT_FOUND (no such version), INVALID_INPUT naming the index and field
   */
  async attachEvaluation(
    input: AttachEvaluationInput,
  ): Promise<{ evalSet: string; samples: number; metrics: string[] }> {
    return this.deps.store.attachEvaluation(parseInput(AttachEvaluationInput, input, 'evaluation'));
  }

  /**
   * A version's evaluation summary: units, mean and standard deviation per (evaluation set, metric).
   * @throws ModelctlError NOT_FOUND (no such version)
   */
  async evaluationSummaries(ref: VersionRef): Promise<EvaluationSummary[]> {
    const v = await this.requireVersion(parseInput(VersionRef, ref, 'version'));
    return this.deps.store.evaluationSummaries(v.model, v.version);
  }

  private requireVersion(ref: VersionRef): Promise<ModelVersion> {
    return requireVersion(this.deps.store, ref.model, ref.version);
  }

  /** Starts an experiment (status RUNNING). */
  trackExperiment(input: CreateExperimentInput): Promise<Experiment> {
    return this.deps.store.createExperiment(input);
  }

  /** Updates an experiment; a terminal status ends it and fixes its duration. */
  updateExperiment(id: string, patch: UpdateExperimentInput): Promise<Experiment> {
    return this.deps.store.updateExperiment(id, patch);
  }

  /**
   * Appends metric points; non-finite values reject the batch naming key and step. Returns the count stored.
   * With `idempotencyKey`, a batch sent again under the same key (a client resending after a lost answer) is stored
   * once and answers the first count; the key is scoped to the experiment.
   */
  logMetrics(
    experimentId: string,
    points: MetricPointInput[],
    options: { idempotencyKey?: string } = {},
  ): Promise<number> {
    return this.deps.store.logMetrics(
      experimentId,
      points,
      options.idempotencyKey === undefined
        ? {}
        : { idempotencyKey: `metrics:${experimentId}:${options.idempotencyKey}` },
    );
  }

  /**
   * Records production observations of serving versions (see ObservationInput: `value` or a pre-aggregated
   * `window`, per model, version, metric, timestamp): stored as sums per minute bucket with a quantile sketch, never
   * one by one. Batches above 100,000 are recorded 100,000 at a time, after the whole of them has been validated.
   * @returns how many observations were recorded, and how many bucket rows were written.
   * @throws ModelctlError INVALID_INPUT naming the index and field
   */
  async recordObservations(observations: ObservationInput[]): Promise<{ recorded: number; buckets: number }> {
    if (observations.length <= MAX_OBSERVATIONS_PER_BATCH) return this.deps.store.recordObservations(observations);
    // Validate all first, so one bad observation records none of a batch the store takes in several calls.
    parseInput(z.array(ObservationInput), observations, 'observations');
    const total = { recorded: 0, buckets: 0 };
    for (let start = 0; start < observations.length; start += MAX_OBSERVATIONS_PER_BATCH) {
      const chunk = await this.deps.store.recordObservations(
        observations.slice(start, start + MAX_OBSERVATIONS_PER_BATCH),
      );
      total.recorded += chunk.recorded;
      total.buckets += chunk.buckets;
    }
    return total;
  }

  /**
   * Stores `model`'s default guard policy, used by `guard start` and `promote --guard` when none is given.
   * @throws ModelctlError INVALID_INPUT naming the policy's field and range
   */
  setGuardPolicy(model: string, policy: unknown, actor: string): Promise<StoredGuardPolicy> {
    return this.deps.store.setGuardPolicy({ model, policy, actor });
  }

  /** `model`'s default guard policy, or null when none was set. */
  guardPolicy(model: string): Promise<StoredGuardPolicy | null> {
    return this.deps.store.getGuardPolicy(model);
  }

  /** The guards of `model` as the store recorded them, oldest first, each with its checks and alerts. */
  async guards(model: string): Promise<(GuardRecord & { events: GuardEventRecord[] })[]> {
    const guards = await this.deps.store.listGuards(model);
    return Promise.all(guards.map(async (g) => ({ ...g, events: await this.deps.store.guardEvents(g.id) })));
  }

  /** Sums the observations of one metric of one version over [from, to), with quantiles; see RegistryStore. */
  aggregateObservations(query: ObservationQuery): Promise<ObservationAggregate> {
    return this.deps.store.aggregateObservations(query);
  }

  /**
   * Links an existing version to an experiment (idempotent) and returns the experiment with its links.
   * @throws ModelctlError NOT_FOUND (experiment or version), INVALID_INPUT
   */
  async linkVersion(experimentId: string, ref: VersionRef): Promise<Experiment> {
    const target = parseInput(VersionRef, ref, 'version');
    await this.deps.store.linkVersion(experimentId, target);
    const experiment = await this.deps.store.getExperiment(experimentId);
    if (experiment === null)
      throw new ModelctlError(ErrorCode.NOT_FOUND, `experiment ${experimentId} does not exist`, { experimentId });
    return experiment;
  }

  /**
   * The experiment with a bounded view of each metric series.
   * @param options.maxPoints per series, default 500, at least 2.
   * @param options.stepFrom,options.stepTo an inclusive step window (a zoomed chart): the points downsampled are
   *   those of the window only, so a narrow window comes back at full resolution.
   * @throws ModelctlError NOT_FOUND, INVALID_INPUT (maxPoints below 2, stepFrom above stepTo)
   */
  async getExperimentResults(
    id: string,
    options: { maxPoints?: number; stepFrom?: number; stepTo?: number } = {},
  ): Promise<ExperimentResults> {
    const { maxPoints, stepFrom, stepTo } = parseInput(ResultsOptions, options, 'experiment results options');
    const experiment = await this.deps.store.getExperiment(id);
    if (experiment === null)
      throw new ModelctlError(ErrorCode.NOT_FOUND, `experiment ${id} does not exist`, { experimentId: id });
    const series: Record<string, MetricPoint[]> = {};
    for (const key of await this.deps.store.metricKeys(id)) {
      series[key] = await this.deps.store.downsampledMetrics({ experimentId: id, key, maxPoints, stepFrom, stepTo });
    }
    return { experiment, series };
  }

  /** The whole registry as one JSON document; its layout is docs/report-schema.md. */
  exportReport(): Promise<RegistryReport> {
    return buildReport(this.deps.store, this.now().toISOString());
  }

  /** Closes the store's connections. */
  close(): Promise<void> {
    return this.deps.store.close();
  }
}

/**
 * The highest stable (non-prerelease) version among `versions` (one model's, non-empty).
 * @throws ModelctlError NOT_FOUND when all are prereleases (naming them)
 */
export function latestStableOf(versions: ModelVersion[]): ModelVersion {
  const stable = latestStableVersion(versions.map((v) => v.version));
  const found = versions.find((v) => v.version === stable);
  if (found === undefined) {
    throw new ModelctlError(
      ErrorCode.NOT_FOUND,
      `model ${versions[0]!.model} has no stable (non-prerelease) version; its versions: ${versions.map((v) => v.version).join(', ')}`,
      { model: versions[0]!.model },
    );
  }
  return found;
}
