import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ModelctlConfig } from '../config/environment';
import type { AbTestResult } from '../domain/ab-test';
import type { PromotionResult } from '../domain/promotion';
import type { RollbackResult } from '../domain/rollback';
import type { GuardResult } from '../domain/guard';
import type { ModelVersion } from '../domain/model-version';
import { DurationMs } from '../domain/duration';
import { ModelctlError, parseInput } from '../domain/errors';
import { ModelName } from '../domain/names';
import { ModelRegistry } from '../client/model-registry';
import { connectTemporal, workflowUrl } from '../client/temporal-runtime';
import { ensureWorker } from '../client/embedded-worker';
import { LifecycleClient } from '../client/lifecycle-client';
import { recordOutcomes, assignUnits } from '../client/ab-test-traffic';
import type { VersionComparison } from '../client/compare';
import type { ModelHistory } from '../client/report';
import { loadDigits, type DigitRow } from './digits';
import { splitTrainTest } from './split';
import { trainModel } from './train';
import { evaluate, type Evaluation } from './evaluate';
import { predict } from './predict';
import { saveModelArtifact } from './artifact';
import { DIGITS_SPLIT, DIGITS_V1, DIGITS_V2 } from './versions';
import { DEMO_GUARD_POLICY, driftedTraffic, HOLDOUT_BASIS_POINTS, serveUnderGuard } from './live-traffic';
import type { ModelSpecInput } from './model-spec';
import { promotionWorkflowId } from '../workflows/promote-model.contract';
import { rollbackWorkflowId } from '../workflows/rollback.contract';

const ROOT = resolve(__dirname, '..', '..');
/** The dataset shipped with the repository (examples/data/README.md gives source and licence). */
export const DIGITS_PATH = join(ROOT, 'examples', 'data', 'digits.csv.gz');

/** Options of {@link runDemo}. */
export interface DemoOptions {
  config: ModelctlConfig;
  /** Model name; default `digits`. */
  model?: string;
  /** A/B test duration; default 20 s (a real durable timer, shortened for the demo). */
  abTestDuration?: string;
  /** Progress lines (stderr on a TTY); default silent. */
  log?: (line: string) => void;
}

/** Everything the demo did, as written to `<home>/demo-report.json`. */
export interface DemoReport {
  model: string;
  experimentId: string;
  versions: { v1: ModelVersion; v2: ModelVersion };
  heldOut: { v1: Evaluation; v2: Evaluation; rows: number; trainRows: number };
  promotion: PromotionResult;
  abTest: AbTestResult;
  /** The guard the A/B test started on its promoted winner, ended by the rollback it ran. */
  guard: GuardResult;
  /** The guard's automatic rollback. */
  rollback: RollbackResult;
  comparison: VersionComparison;
  history: ModelHistory;
  links: Record<string, string | null>;
  reportFile: string;
}

async function trainAndRegister(
  registry: ModelRegistry,
  model: string,
  spec: ModelSpecInput,
  label: string,
  rows: { train: DigitRow[]; test: DigitRow[]; live: DigitRow[] },
  experimentId: string,
  parentVersion: string | undefined,
  log: (line: string) => void,
): Promise<{ version: ModelVersion; evaluation: Evaluation; predictions: number[]; livePredictions: number[] }> {
  log(`training ${label} (${spec.features}, L2 ${spec.l2})…`);
  const trained = await trainModel(spec, rows.train, {
    onEpoch: async (m) => {
      await registry.logMetrics(experimentId, [
        { key: `${label}/loss`, value: m.loss, step: m.epoch },
        { key: `${label}/accuracy`, value: m.accuracy, step: m.epoch },
        ...(m.valLoss !== null && m.valLoss !== undefined
          ? [{ key: `${label}/val_loss`, value: m.valLoss, step: m.epoch }]
          : []),
        ...(m.valAccuracy !== null && m.valAccuracy !== undefined
          ? [{ key: `${label}/val_accuracy`, value: m.valAccuracy, step: m.epoch }]
          : []),
      ]);
    },
  });
  const evaluation = evaluate(trained, rows.test);
  const dir = mkdtempSync(join(tmpdir(), `modelctl-demo-${label}-`));
  try {
    const artifactDir = join(dir, 'model');
    await saveModelArtifact(trained, artifactDir, {
      metrics: { accuracy: evaluation.accuracy, logLoss: evaluation.logLoss },
    });
    const version = await registry.registerVersion({
      model,
      artifactPath: artifactDir,
      bump: parentVersion === undefined ? 'minor' : 'patch',
      parentVersion,
      experimentId,
      config: { ...spec } as Record<string, string | number>,
      metrics: { accuracy: evaluation.accuracy, logLoss: evaluation.logLoss },
      author: process.env.USER ?? 'modelctl-demo',
      description: `demo ${label}: ${spec.features}, L2 ${spec.l2}`,
      gitDir: ROOT,
    });
    log(
      `registered ${model}@${version.version} (held-out accuracy ${(evaluation.accuracy * 100).toFixed(1)}%, artifact sha256 ${version.artifact.sha256.slice(0, 12)}…)`,
    );
    const predictions = predict(trained, rows.test);
    // Per-example correctness on the same held-out rows for every version: what makes the comparison paired.
    await registry.attachEvaluation({
      model,
      version: version.version,
      evalSet: DEMO_EVAL_SET,
      samples: rows.test.map((row, i) => ({
        unit: `digit-${i}`,
        metric: 'correct',
        value: predictions[i] === row.label ? 1 : 0,
      })),
    });
    return { version, evaluation, predictions, livePredictions: predict(trained, rows.live) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    trained.network.dispose();
  }
}

/** The evaluation set the demo's held-out digits are attached as. */
export const DEMO_EVAL_SET = 'heldout-digits';

/**
 * The whole lifecycle on real data and real models, on the embedded defaults:
 * train two versions of a handwritten-digits classifier in a tracked TRAINING experiment (per-epoch metrics),
 * register both with artifacts, lineage and Git commit; promote v1 through promoteModel; A/B test v1 vs v2 by
 * replaying the held-out rows as traffic (each row a unit, assigned by the hash; outcome = the served model was
 * right) on a real durable timer; the winner is promoted by the test, which starts a guard on it with a holdout on
 * v1; then live traffic drifts (every digit shifted one pixel), v2's error rate rises above v1's and its SLO, and the
 * guard rolls back to v1 by itself, the evidence in the audit trail.
 * Writes the report to `<home>/demo-report.json`.
 */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const log = options.log ?? (() => undefined);
  // Checked before anything is trained or written: a bad duration used to fail only after two promotions.
  const model = parseInput(ModelName, options.model ?? 'digits', 'demo model');
  if (options.abTestDuration !== undefined) parseInput(DurationMs, options.abTestDuration, 'demo A/B test duration');
  const config = options.config;
  const registry = await ModelRegistry.open({ config });
  const runtime = await connectTemporal(config);
  try {
    log(
      `Temporal at ${runtime.address}${runtime.uiUrl ? ` (Web UI ${runtime.uiUrl})` : ''}; registry in ${config.home}`,
    );
    const registryId = await registry.store.registryId();
    const worker = await ensureWorker(config, runtime, registryId);
    if (worker.started) log(`started a background worker (log ${worker.logFile})`);
    const lifecycle = new LifecycleClient(runtime.client, runtime.taskQueue, registryId);

    const digits = await loadDigits(DIGITS_PATH);
    const rows = { ...splitTrainTest(digits, DIGITS_SPLIT), live: driftedTraffic(digits) };
    log(
      `loaded ${rows.train.length + rows.test.length} handwritten digits: ${rows.train.length} to train, ${rows.test.length} held out`,
    );
    const experiment = await registry.trackExperiment({
      name: `${model} training`,
      type: 'TRAINING',
      config: { dataset: 'examples/data/digits.csv.gz', split: { ...DIGITS_SPLIT } },
      tags: ['demo'],
    });
    const one = await trainAndRegister(registry, model, DIGITS_V1, 'v1', rows, experiment.id, undefined, log);
    const two = await trainAndRegister(registry, model, DIGITS_V2, 'v2', rows, experiment.id, one.version.version, log);
    await registry.updateExperiment(experiment.id, {
      status: 'COMPLETED',
      summary: { 'v1/heldout_accuracy': one.evaluation.accuracy, 'v2/heldout_accuracy': two.evaluation.accuracy },
    });

    log(
      `promoting ${model}@${one.version.version} to production (promoteModel: artifact check, gate accuracy >= 0.75)…`,
    );
    const promotion = await lifecycle.promote({
      model,
      version: one.version.version,
      actor: 'demo',
      reason: 'first release of the digits classifier',
      gates: { thresholds: [{ metric: 'accuracy', op: '>=', value: 0.75 }] },
    });

    const testId = `${model}-${one.version.version}-vs-${two.version.version}-${Date.now().toString(36)}`;
    const duration = options.abTestDuration ?? '20s';
    log(
      `A/B test ${testId}: ${one.version.version} (control) vs ${two.version.version} (treatment) for ${duration}, held-out rows replayed as traffic…`,
    );
    const handle = await lifecycle.startAbTest({
      id: testId,
      model,
      control: one.version.version,
      treatment: two.version.version,
      split: { control: 5000, treatment: 5000 },
      duration,
      metric: { name: 'correct', kind: 'binary', higherIsBetter: true },
      autoPromote: true,
      guard: DEMO_GUARD_POLICY,
      actor: 'demo',
    });
    for (let i = 0; i < 200 && (await registry.store.getAbTest(testId))?.status !== 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 100));
    const unitIds = rows.test.map((_, i) => `heldout-row-${i}`);
    const assignments = await assignUnits(registry.store, testId, unitIds);
    const outcomes = assignments.map((a, i) => {
      const served = a.arm === 'control' ? one.predictions : two.predictions;
      return { unitId: a.unitId, value: served[i] === rows.test[i]!.label ? 1 : 0 };
    });
    const recorded = await recordOutcomes(registry.store, testId, outcomes);
    log(
      `recorded ${recorded.recorded} outcomes (control ${recorded.control}, treatment ${recorded.treatment}); waiting for the timer…`,
    );
    const abTest = await lifecycle.wait(handle, `A/B test ${testId}`);
    log(`A/B test decided: ${abTest.decision}${abTest.winner ? ` (winner ${abTest.winner})` : ''} — ${abTest.reason}`);

    if (!abTest.guard) throw new ModelctlError('REFUSED', `the A/B winner is not guarded: ${abTest.guardError}`);
    const { observations, served } = serveUnderGuard(
      model,
      abTest.guard.workflowId,
      rows.live,
      { baseline: one.version.version, candidate: two.version.version },
      { baseline: one.livePredictions, candidate: two.livePredictions },
    );
    log(
      `guard ${abTest.guard.workflowId} watches ${model}@${two.version.version}; live traffic drifts (the camera moved one pixel right): ${served.candidate} requests served by ${two.version.version}, ${served.baseline} by the ${HOLDOUT_BASIS_POINTS / 100}% holdout on ${one.version.version}…`,
    );
    await registry.recordObservations(observations);
    const guard = await lifecycle.guardResult(model);
    const rolledBack = guard.rollbackWorkflowId === null ? null : await lifecycle.rollbackRun(model);
    if (rolledBack?.result == null)
      throw new ModelctlError('REFUSED', `the guard ended ${guard.status} without a rollback: ${guard.reason}`);
    const rollback = rolledBack.result;

    const comparison = await registry.compareVersions(
      { model, version: one.version.version },
      { model, version: two.version.version },
    );
    const history = await registry.history(model);
    const links = {
      promotion: workflowUrl(runtime, promotionWorkflowId(model)),
      abTest: workflowUrl(runtime, handle.workflowId),
      guard: workflowUrl(runtime, abTest.guard.workflowId),
      rollback: workflowUrl(runtime, rollbackWorkflowId(model)),
    };
    const reportFile = join(config.home, 'demo-report.json');
    const report: DemoReport = {
      model,
      experimentId: experiment.id,
      versions: {
        v1: (await registry.getVersion(model, one.version.version))!,
        v2: (await registry.getVersion(model, two.version.version))!,
      },
      heldOut: { v1: one.evaluation, v2: two.evaluation, rows: rows.test.length, trainRows: rows.train.length },
      promotion,
      abTest,
      guard,
      rollback,
      comparison,
      history,
      links,
      reportFile,
    };
    mkdirSync(config.home, { recursive: true });
    writeFileSync(reportFile, JSON.stringify({ ...report, registry: await registry.exportReport() }, null, 2));
    return report;
  } finally {
    await runtime.close();
    await registry.close();
  }
}
