import type { Kysely } from 'kysely';
import type { CreateExperimentInput, MetricPointInput, UpdateExperimentInput } from '../domain/experiment';
import type { RegistryStore, NewVersion, TransitionRequest, SwapRequest, DownsampleQuery } from './registry-store';
import type { Database, Dialect } from './schema';
import type { SqliteStatements, StoreContext } from './transaction';
import type { SqliteOutcomeWriter } from './sqlite-outcome-writer';
import * as versions from './versions';
import * as lifecycle from './lifecycle-events';
import * as experiments from './experiments';
import * as metrics from './metrics';
import * as abTests from './ab-tests';
import * as apiTokens from './api-tokens';
import * as observations from './observations';
import * as evaluations from './evaluations';
import type { AttachEvaluationInput } from '../domain/evaluation';
import * as guards from './guards';
import type { ObservationInput, ObservationQuery } from '../domain/observation';
import type { NewApiToken } from '../domain/api-token';
import { bumpingAfter, postgresChangeStamp, type ChangeStamp } from './change-stamp';

/** {@link RegistryStore} on Kysely; one class for SQLite and PostgreSQL. Built by openStore, which runs the migrations. */
export class SqlRegistryStore implements RegistryStore {
  private readonly ctx: StoreContext;
  private readonly stamp: ChangeStamp;

  /**
   * `raw.stamp`: see {@link changeStamp}; default the time-windowed one (exact for this process's writes only).
   * `raw.sqlite`: the SQLite connection's statements, for the bulk writes that bypass Kysely's builder.
   * `raw.outcomeWriter`: SQLite's writer of outcome batches (closed with the store).
   */
  constructor(
    db: Kysely<Database>,
    readonly dialect: Dialect,
    now: () => Date = () => new Date(),
    raw: { stamp?: ChangeStamp; sqlite?: SqliteStatements; outcomeWriter?: SqliteOutcomeWriter } = {},
  ) {
    this.ctx = {
      db,
      dialect,
      now,
      ...(raw.sqlite ? { sqlite: raw.sqlite } : {}),
      ...(raw.outcomeWriter ? { outcomeWriter: raw.outcomeWriter } : {}),
    };
    this.stamp = raw.stamp ?? postgresChangeStamp();
  }

  /** See RegistryStore.changeStamp (src/store/change-stamp.ts). */
  changeStamp(): string {
    return this.stamp();
  }

  private identity: Promise<string> | undefined;

  registryId(): Promise<string> {
    // The row never changes once made, so one read per store is enough; a failed read is tried again next time.
    this.identity ??= this.readIdentity();
    return this.identity;
  }

  private async readIdentity(): Promise<string> {
    try {
      return (await this.ctx.db.selectFrom('registry_identity').select('id').executeTakeFirstOrThrow()).id;
    } catch (err) {
      this.identity = undefined;
      throw err;
    }
  }

  createVersion(input: NewVersion) {
    return versions.createVersion(this.ctx, input);
  }
  getVersion(model: string, version: string) {
    return versions.getVersion(this.ctx, model, version);
  }
  listVersions(model: string) {
    return versions.listVersions(this.ctx, model);
  }
  listVersionSummaries(model: string) {
    return versions.listVersionSummaries(this.ctx, model);
  }
  versionsPage(model: string, page: { after?: string; limit: number }) {
    return versions.versionsPage(this.ctx, model, page);
  }
  listModels() {
    return versions.listModels(this.ctx);
  }
  deleteVersion(model: string, version: string) {
    return versions.deleteVersion(this.ctx, model, version);
  }

  transition(request: TransitionRequest) {
    return lifecycle.transition(this.ctx, request);
  }
  swapProduction(request: SwapRequest) {
    return lifecycle.swapProduction(this.ctx, request);
  }
  productionVersion(model: string) {
    return lifecycle.productionVersion(this.ctx, model);
  }
  productionAt(model: string, at: string) {
    return lifecycle.productionAt(this.ctx, model, at);
  }
  previousProductionVersion(model: string) {
    return lifecycle.previousProductionVersion(this.ctx, model);
  }
  events(model: string, version?: string) {
    return lifecycle.listEvents(this.ctx, model, version);
  }
  eventsPage(model: string, page: { afterId?: number; limit: number }) {
    return lifecycle.eventsPage(this.ctx, model, page);
  }
  productionMoves(model: string, recent: number) {
    return lifecycle.productionMoves(this.ctx, model, recent);
  }
  latestMoves(model: string) {
    return lifecycle.latestMoves(this.ctx, model);
  }

  createExperiment(input: CreateExperimentInput) {
    return experiments.createExperiment(this.ctx, input);
  }
  getExperiment(id: string) {
    return experiments.getExperiment(this.ctx, id);
  }
  listExperiments() {
    return experiments.listExperiments(this.ctx);
  }
  updateExperiment(id: string, patch: UpdateExperimentInput) {
    return experiments.updateExperiment(this.ctx, id, patch);
  }
  linkVersion(experimentId: string, ref: { model: string; version: string }) {
    return experiments.linkVersion(this.ctx, experimentId, ref);
  }

  logMetrics(experimentId: string, points: MetricPointInput[], options?: { idempotencyKey?: string }) {
    return metrics.logMetrics(this.ctx, experimentId, points, options);
  }
  metricKeys(experimentId: string) {
    return metrics.metricKeys(this.ctx, experimentId);
  }
  metricHistory(query: { experimentId: string; key: string; after?: string; limit?: number }) {
    return metrics.metricHistory(this.ctx, query);
  }
  downsampledMetrics(query: DownsampleQuery) {
    return metrics.downsampledMetrics(this.ctx, query);
  }

  createAbTest(input: Parameters<RegistryStore['createAbTest']>[0]) {
    return bumpingAfter(abTests.createAbTest(this.ctx, input));
  }
  getAbTest(id: string) {
    return abTests.getAbTest(this.ctx, id);
  }
  listAbTests(model?: string) {
    return abTests.listAbTests(this.ctx, model);
  }
  updateAbTest(id: string, patch: Parameters<RegistryStore['updateAbTest']>[1]) {
    return bumpingAfter(abTests.updateAbTest(this.ctx, id, patch));
  }
  recordOutcomes(testId: string, outcomes: Parameters<RegistryStore['recordOutcomes']>[1]) {
    return abTests.recordOutcomes(this.ctx, testId, outcomes);
  }
  aggregateOutcomes(testId: string, options?: { recordedUntil?: string }) {
    return abTests.aggregateOutcomes(this.ctx, testId, options);
  }
  outcomeBatches(testId: string) {
    return abTests.outcomeBatches(this.ctx, testId);
  }

  recordObservations(batch: ObservationInput[]) {
    return observations.recordObservations(this.ctx, batch);
  }
  aggregateObservations(query: ObservationQuery) {
    return observations.aggregateObservations(this.ctx, query);
  }

  attachEvaluation(input: AttachEvaluationInput) {
    return evaluations.attachEvaluation(this.ctx, input);
  }
  evaluationSeries(model: string, version: string) {
    return evaluations.evaluationSeries(this.ctx, model, version);
  }
  modelEvaluationSeries(model: string) {
    return evaluations.modelEvaluationSeries(this.ctx, model);
  }
  evaluationSummaries(model: string, version: string) {
    return evaluations.evaluationSummaries(this.ctx, model, version);
  }
  createGuard(input: Parameters<RegistryStore['createGuard']>[0]) {
    return guards.createGuard(this.ctx, input);
  }
  updateGuard(input: Parameters<RegistryStore['updateGuard']>[0]) {
    return guards.updateGuard(this.ctx, input);
  }
  recordGuardEvent(event: Parameters<RegistryStore['recordGuardEvent']>[0]) {
    return guards.recordGuardEvent(this.ctx, event);
  }
  getGuard(id: string) {
    return guards.getGuard(this.ctx, id);
  }
  listGuards(model?: string) {
    return guards.listGuards(this.ctx, model);
  }
  guardEvents(guardId: string) {
    return guards.guardEvents(this.ctx, guardId);
  }
  recordWebhookAttempt(attempt: Parameters<RegistryStore['recordWebhookAttempt']>[0]) {
    return guards.recordWebhookAttempt(this.ctx, attempt);
  }
  webhookAttempts(guardId: string) {
    return guards.webhookAttempts(this.ctx, guardId);
  }
  setGuardPolicy(input: Parameters<RegistryStore['setGuardPolicy']>[0]) {
    return guards.setGuardPolicy(this.ctx, input);
  }
  getGuardPolicy(model: string) {
    return guards.getGuardPolicy(this.ctx, model);
  }

  createApiToken(token: NewApiToken) {
    return bumpingAfter(apiTokens.createApiToken(this.ctx, token));
  }
  findApiToken(secretSha256: string) {
    return apiTokens.findApiToken(this.ctx, secretSha256);
  }
  listApiTokens() {
    return apiTokens.listApiTokens(this.ctx);
  }
  revokeApiToken(name: string) {
    return bumpingAfter(apiTokens.revokeApiToken(this.ctx, name));
  }
  ping() {
    return apiTokens.ping(this.ctx);
  }

  async close(): Promise<void> {
    await this.ctx.outcomeWriter?.close();
    await this.ctx.db.destroy();
  }
}
