import type { ApiTokenRecord, CreateTokenInput } from '../domain/api-token';
import { ApiTokens, type CreatedToken } from './api-tokens';
import { assignUnits, recordOutcomes, type Outcome, type UnitAssignmentRow } from './ab-test-traffic';
import type { ModelRegistry } from './model-registry';

/** Which arm (and version) serves a unit of an A/B test; bucket is 0..9999. */
export type UnitAssignment = UnitAssignmentRow;

/**
 * What the CLI's registry commands call: ModelRegistry's operations plus A/B traffic and tokens. ModelRegistry over
 * the store ({@link localRegistryOperations}) and RemoteRegistry over the HTTP API implement it, so a command prints
 * the same whether it runs locally or against `modelctl serve`.
 */
export interface RegistryOperations extends Pick<
  ModelRegistry,
  | 'registerVersion'
  | 'requireModel'
  | 'production'
  | 'history'
  | 'compareVersions'
  | 'exportReport'
  | 'trackExperiment'
  | 'updateExperiment'
  | 'logMetrics'
  | 'linkVersion'
  | 'getExperimentResults'
  | 'recordObservations'
  | 'latestStable'
  | 'attachEvaluation'
  | 'trend'
  | 'setGuardPolicy'
  | 'guardPolicy'
> {
  /** Arms of `unitIds` in A/B test `id`, in the order given. @throws ModelctlError NOT_FOUND */
  assignUnits(id: string, unitIds: string[]): Promise<UnitAssignment[]>;
  /** Records outcomes of a running test (idempotent per unit). @throws ModelctlError NOT_FOUND, REFUSED, INVALID_INPUT */
  recordOutcomes(id: string, outcomes: Outcome[]): Promise<{ recorded: number; control: number; treatment: number }>;
  /** The HTTP server's API tokens. */
  tokens: {
    create(input: CreateTokenInput): Promise<CreatedToken>;
    list(): Promise<ApiTokenRecord[]>;
    revoke(name: string): Promise<ApiTokenRecord>;
  };
}

/** The registry's operations on its own store (the CLI's local mode). */
export function localRegistryOperations(registry: ModelRegistry): RegistryOperations {
  const tokens = new ApiTokens(registry.store);
  return {
    registerVersion: (input) => registry.registerVersion(input),
    requireModel: (model) => registry.requireModel(model),
    production: (model, at) => registry.production(model, at),
    history: (model) => registry.history(model),
    compareVersions: (a, b, metrics, options) => registry.compareVersions(a, b, metrics, options),
    exportReport: () => registry.exportReport(),
    trackExperiment: (input) => registry.trackExperiment(input),
    updateExperiment: (id, patch) => registry.updateExperiment(id, patch),
    logMetrics: (id, points, options) => registry.logMetrics(id, points, options),
    linkVersion: (id, ref) => registry.linkVersion(id, ref),
    getExperimentResults: (id, options) => registry.getExperimentResults(id, options),
    recordObservations: (observations) => registry.recordObservations(observations),
    latestStable: (model) => registry.latestStable(model),
    attachEvaluation: (input) => registry.attachEvaluation(input),
    trend: (model, metric, options) => registry.trend(model, metric, options),
    setGuardPolicy: (model, policy, actor) => registry.setGuardPolicy(model, policy, actor),
    guardPolicy: (model) => registry.guardPolicy(model),
    assignUnits: (id, unitIds) => assignUnits(registry.store, id, unitIds),
    recordOutcomes: (id, outcomes) => recordOutcomes(registry.store, id, outcomes),
    tokens: {
      create: (input) => tokens.create(input),
      list: () => tokens.list(),
      revoke: (name) => tokens.revoke(name),
    },
  };
}
