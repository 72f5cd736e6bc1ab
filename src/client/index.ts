export {
  ModelRegistry,
  type CaptureGit,
  type ModelRegistryDeps,
  type OpenRegistryOptions,
  type ExperimentResults,
  type ProductionAnswer,
} from './model-registry';
export { compareMetrics, type VersionComparison, type MetricDifference } from './compare';
export {
  REPORT_SCHEMA_VERSION,
  type RegistryReport,
  type ModelHistory,
  type VersionWithTimeline,
  type TimelineEntry,
} from './report';
export { LifecycleClient, type StartOptions } from './lifecycle-client';
export { promotionWorkflowId } from '../workflows/promote-model.contract';
export { rollbackWorkflowId } from '../workflows/rollback.contract';
export { abTestWorkflowId, abTestExperimentId, defaultScheduleId } from '../workflows/ab-test.contract';
export { AbTestSchedules } from './ab-test-schedules';
export { connectTemporal, workflowUrl, type TemporalRuntime } from './temporal-runtime';
export { readMetricPointsFile } from './metric-points-file';
export { historyFromGit, formatGitHistory } from './git-history';
export { holdoutRouter } from './holdout';
