import { z } from 'zod';
import { JsonValue } from '../domain/json';
import { ModelStatus } from '../domain/lifecycle';

/** Response schemas of the domain's records, for the OpenAPI document; the types live in src/domain. */

const Nullable = <T extends z.ZodType>(t: T) => t.nullable();

/** ArtifactRef: where a version's bytes are and what they hash to. */
export const ArtifactRefView = z.object({
  uri: z.string(),
  sha256: z.string(),
  sizeBytes: z.number().int(),
  mediaType: z.string(),
});

/** GitInfo: the training code's repository state at registration. */
export const GitInfoView = z.object({
  commit: z.string(),
  branch: Nullable(z.string()),
  dirty: z.boolean(),
  diffSha256: Nullable(z.string()),
  detached: z.boolean(),
  remote: Nullable(z.string()),
});

/** ModelVersion (src/domain/model-version.ts). */
export const ModelVersionView = z.object({
  id: z.string(),
  model: z.string(),
  version: z.string(),
  parentVersion: Nullable(z.string()),
  status: z.enum(ModelStatus),
  artifact: ArtifactRefView,
  config: z.record(z.string(), JsonValue),
  metrics: z.record(z.string(), z.number()),
  experimentId: Nullable(z.string()),
  git: Nullable(GitInfoView),
  gitReason: Nullable(z.string()),
  author: z.string(),
  description: Nullable(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  promotedAt: Nullable(z.string()),
  deprecatedAt: Nullable(z.string()),
});

/** ProductionAnswer (src/client/model-registry.ts). */
export const ProductionView = z.object({
  model: z.string(),
  at: Nullable(z.string()),
  version: Nullable(z.string()),
  modelVersion: Nullable(ModelVersionView),
  since: Nullable(z.string()),
});

/** ModelSummary (src/store/registry-store.ts). */
export const ModelSummaryView = z.object({
  name: z.string(),
  description: Nullable(z.string()),
  tags: z.array(z.string()),
  createdAt: z.string(),
});

/** Experiment (src/store/registry-store.ts). */
export const ExperimentView = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  status: z.string(),
  description: Nullable(z.string()),
  config: z.record(z.string(), JsonValue),
  tags: z.array(z.string()),
  summary: z.record(z.string(), z.number()),
  startedAt: z.string(),
  endedAt: Nullable(z.string()),
  durationSeconds: Nullable(z.number()),
  externalIds: z.record(z.string(), z.string()),
  linkedVersions: z.array(z.object({ model: z.string(), version: z.string() })),
  warnings: z.array(z.string()),
});

/**
 * MetricSignificance (src/stats/version-significance.ts): one metric of one evaluation set, b against a; the keys in
 * the order compareEvaluations writes them, so remote and local output match byte for byte.
 */
export const MetricSignificanceView = z.object({
  evalSet: z.string(),
  metric: z.string(),
  paired: z.boolean(),
  test: z.string(),
  status: z.string(),
  statusReason: Nullable(z.string()),
  units: z.object({ a: z.number().int(), b: z.number().int() }),
  a: z.object({ mean: z.number() }),
  b: z.object({ mean: z.number() }),
  difference: z.object({ estimate: z.number(), ciLow: Nullable(z.number()), ciHigh: Nullable(z.number()) }),
  pValue: Nullable(z.number()),
  wilcoxonPValue: Nullable(z.number()),
  pValueAdjusted: Nullable(z.number()),
  higherIsBetter: z.boolean(),
  verdict: z.enum(['better', 'worse', 'no-difference', 'insufficient-data', 'zero-variance', 'numerical-limit']),
});

/** VersionComparison (src/client/compare.ts): b against a, per metric. */
export const VersionComparisonView = z.object({
  a: z.object({ model: z.string(), version: z.string(), status: z.string() }),
  b: z.object({ model: z.string(), version: z.string(), status: z.string() }),
  metrics: z.array(
    z.object({
      name: z.string(),
      a: Nullable(z.number()),
      b: Nullable(z.number()),
      absoluteDifference: Nullable(z.number()),
      relativeDifference: Nullable(z.number()),
    }),
  ),
  /** MetricSignificance (src/stats/version-significance.ts) per shared evaluation set and metric. */
  significance: z.array(MetricSignificanceView),
  significanceNote: Nullable(z.string()),
});

/** MetricTrend (src/client/trend.ts): one metric across a model's versions in semver order. */
export const MetricTrendView = z.object({
  model: z.string(),
  metric: z.string(),
  evalSet: Nullable(z.string()),
  higherIsBetter: z.boolean(),
  points: z.array(
    z.object({
      version: z.string(),
      status: z.string(),
      createdAt: z.string(),
      parentVersion: Nullable(z.string()),
      value: Nullable(z.number()),
      evaluation: Nullable(
        z.object({
          evalSet: z.string(),
          units: z.number().int(),
          mean: z.number(),
          /** Student t interval of the mean (src/stats/mean-interval.ts); null under 2 units. */
          interval: Nullable(z.object({ low: z.number(), high: z.number(), level: z.number() })),
        }),
      ),
      /** MetricSignificance (src/stats/version-significance.ts) against the parent, Holm-adjusted across the trend. */
      vsParent: z.unknown(),
      regression: z.boolean(),
    }),
  ),
});

/** LifecycleApproval (src/domain/model-version.ts): who approved a promotion, and their comment. */
export const ApprovalView = z.object({ approver: z.string(), comment: Nullable(z.string()) });

/** TimelineEntry (src/client/report.ts): one lifecycle step of a version. */
export const TimelineEntryView = z.object({
  fromStatus: Nullable(z.string()),
  toStatus: z.string(),
  via: z.string(),
  actor: z.string(),
  reason: Nullable(z.string()),
  workflowId: Nullable(z.string()),
  approval: Nullable(ApprovalView),
  at: z.string(),
});

/** ModelHistory (src/client/report.ts): the versions of a model in semver order with their timelines. */
export const ModelHistoryView = z.object({
  model: z.string(),
  productionVersion: Nullable(z.string()),
  previousProductionVersion: Nullable(z.string()),
  versions: z.array(ModelVersionView.extend({ timeline: z.array(TimelineEntryView) })),
});

/** AbTestRecord (src/domain/ab-test.ts) as the report holds it: definition and result whole. */
export const AbTestRecordView = z.object({
  id: z.string(),
  name: z.string(),
  model: z.string(),
  control: z.string(),
  treatment: z.string(),
  split: z.object({ control: z.number().int(), treatment: z.number().int() }),
  salt: z.string(),
  definition: z.record(z.string(), JsonValue),
  status: z.string(),
  /** AbTestResult (src/domain/ab-test.ts) once the test ended. */
  result: z.unknown(),
  workflowId: Nullable(z.string()),
  createdAt: z.string(),
  startedAt: Nullable(z.string()),
  endedAt: Nullable(z.string()),
});

/** RegistryReport (docs/report-schema.md). */
export const RegistryReportView = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.string(),
  models: z.array(ModelHistoryView),
  experiments: z.array(ExperimentView),
  abTests: z.array(AbTestRecordView),
});
