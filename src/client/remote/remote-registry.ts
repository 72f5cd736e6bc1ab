import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { packDirectory } from '../../artifacts/directory-tar';
import { openArtifactSource } from '../../artifacts/artifact-source';
import type { ApiTokenRecord } from '../../domain/api-token';
import { ErrorCode, ModelctlError, parseInput } from '../../domain/errors';
import { AttachEvaluationInput, MAX_EVALUATION_SAMPLES_PER_REQUEST } from '../../domain/evaluation';
import type { Experiment } from '../../domain/experiment';
import { RegisterVersionInput, type GitCapture, type ModelVersion } from '../../domain/model-version';
import { captureGit } from '../../integrations/git';
import { validateOutcomes } from '../ab-test-traffic';
import { latestStableOf, type CaptureGit, type ExperimentResults, type ProductionAnswer } from '../model-registry';
import type { RegistryOperations, UnitAssignment } from '../registry-operations';
import type { VersionComparison } from '../compare';
import type { ModelHistory, RegistryReport } from '../report';
import { ApiHttp, queryString, type RemoteTarget } from './api-http';
import type { MetricTrend } from '../trend';
import type { StoredGuardPolicy } from '../../domain/guard';
import type { ObservationInput } from '../../domain/observation';

/** The refusal of an operation the HTTP API does not serve yet: run the command where the registry is. */
export function notOverHttp(what: string): ModelctlError {
  return new ModelctlError(
    ErrorCode.REFUSED,
    `${what} are not served by the HTTP API yet; run the command where the registry is (unset MODELCTL_URL)`,
  );
}

/** The refusal of an evaluation set larger than one HTTP request takes (a set is replaced whole by one call). */
export function tooManyEvaluationSamples(count: number): ModelctlError {
  return new ModelctlError(
    ErrorCode.REFUSED,
    `the HTTP API takes at most ${MAX_EVALUATION_SAMPLES_PER_REQUEST} evaluation samples per set, not ${count}; attach a larger set where the registry is (unset MODELCTL_URL)`,
  );
}

/** captureGit, a failure of the `git` binary recorded as the reason, as a local registration does. */
async function captureGitSafely(dir: string): Promise<GitCapture> {
  try {
    return await captureGit(dir);
  } catch (err) {
    return { info: null, reason: `git capture failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Observations per `POST /observations` (the API takes up to 100,000 in at most 32 MiB). */
const OBSERVATION_BATCH = 50_000;

/** Most items one request of the API takes (metric points, units, outcomes). */
const BATCH = 10_000;

const seg = encodeURIComponent;

/** Splits `items` into batches of at most {@link BATCH}. */
function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += BATCH) out.push(items.slice(start, start + BATCH));
  return out.length === 0 ? [[]] : out;
}

/** Every item of a cursor-paginated list. */
export async function allPages<T>(http: ApiHttp, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: T[]; nextCursor: string | null } = await http.call(
      'GET',
      `${path}${path.includes('?') ? '&' : '?'}limit=1000${cursor === null ? '' : `&cursor=${seg(cursor)}`}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

/** The byte length of a directory's deterministic tar (packed once to count; packed again to send the same bytes). */
async function tarLength(root: string): Promise<number> {
  let length = 0;
  await pipeline(
    packDirectory(root),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        length += chunk.length;
        done();
      },
    }),
  );
  return length;
}

/**
 * The registry operations over the HTTP API of `modelctl serve` (the CLI's remote mode). The server records the
 * token's name as the author and actor; the Git state of a registration is read on the caller's machine.
 */
export class RemoteRegistry implements RegistryOperations {
  readonly http: ApiHttp;
  readonly evaluationSampleLimit = MAX_EVALUATION_SAMPLES_PER_REQUEST;

  constructor(
    target: RemoteTarget,
    private readonly captureGit: CaptureGit = captureGitSafely,
  ) {
    this.http = new ApiHttp(target);
  }

  /**
   * Streams the artifact (a directory as its deterministic tar) to the upload route, with the Git state of `gitDir`
   * (default the current directory) read here, where the working tree is, as a local registration records it.
   */
  async registerVersion(raw: Parameters<RegistryOperations['registerVersion']>[0]): Promise<ModelVersion> {
    const input = parseInput(RegisterVersionInput, raw, 'registration');
    const git = await this.captureGit(input.gitDir ?? process.cwd());
    const source = await openArtifactSource(input.artifactPath);
    const length = source.expectedSizeBytes ?? (await tarLength(source.path));
    const query = queryString({
      version: input.version,
      bump: input.version === undefined ? input.bump : undefined,
      parentVersion: input.parentVersion,
      experimentId: input.experimentId,
      status: input.status,
      mediaType: input.mediaType ?? source.mediaType,
      expectedSha256: input.expectedSha256,
      description: input.description,
      idempotencyKey: input.idempotencyKey,
      config: JSON.stringify(input.config),
      metrics: JSON.stringify(input.metrics),
      git: JSON.stringify(git),
    });
    try {
      return await this.http.upload(`/models/${seg(input.model)}/versions${query}`, source.stream, length);
    } catch (err) {
      // The server saw a stream; the user gave a path: name it, as a local registration does.
      if (err instanceof ModelctlError && err.code === ErrorCode.CHECKSUM_MISMATCH)
        throw new ModelctlError(
          err.code,
          err.message.replace('checksum mismatch for stream', `checksum mismatch for ${source.path}`),
        );
      throw err;
    }
  }

  requireModel(model: string): Promise<ModelVersion[]> {
    return allPages(this.http, `/models/${seg(model)}/versions`);
  }

  production(model: string, at?: string): Promise<ProductionAnswer> {
    return this.http.call('GET', `/models/${seg(model)}/production${queryString({ at })}`);
  }

  history(model: string): Promise<ModelHistory> {
    return this.http.call('GET', `/models/${seg(model)}/history`);
  }

  /** Two versions of one model, or of two (`bModel`), compared by the server. */
  compareVersions(
    a: { model: string; version: string },
    b: { model: string; version: string },
    metrics?: string[],
  ): Promise<VersionComparison> {
    const bModel = b.model === a.model ? undefined : b.model;
    return this.http.call(
      'GET',
      `/models/${seg(a.model)}/compare${queryString({ a: a.version, b: b.version, bModel, metric: metrics })}`,
    );
  }

  exportReport(): Promise<RegistryReport> {
    return this.http.call('GET', '/report');
  }

  trackExperiment(input: Parameters<RegistryOperations['trackExperiment']>[0]): Promise<Experiment> {
    return this.http.call('POST', '/experiments', input);
  }

  updateExperiment(id: string, patch: Parameters<RegistryOperations['updateExperiment']>[1]): Promise<Experiment> {
    return this.http.call('PATCH', `/experiments/${seg(id)}`, patch);
  }

  /** Sends the points in batches of 10,000 (each one transaction on the server). */
  async logMetrics(
    id: string,
    points: Parameters<RegistryOperations['logMetrics']>[1],
    options: { idempotencyKey?: string } = {},
  ): Promise<number> {
    let stored = 0;
    const parts = batches(points);
    for (const [i, part] of parts.entries()) {
      const key = options.idempotencyKey === undefined ? {} : { idempotencyKey: `${options.idempotencyKey}:${i}` };
      stored += (
        await this.http.call<{ stored: number }>('POST', `/experiments/${seg(id)}/metrics`, {
          points: part,
          ...key,
        })
      ).stored;
    }
    return stored;
  }

  linkVersion(id: string, ref: { model: string; version: string }): Promise<Experiment> {
    return this.http.call('POST', `/experiments/${seg(id)}/versions`, ref);
  }

  getExperimentResults(id: string, options: { maxPoints?: number } = {}): Promise<ExperimentResults> {
    return this.http.call('GET', `/experiments/${seg(id)}${queryString({ maxPoints: options.maxPoints })}`);
  }

  /**
   * Posts observations to `POST /observations` in batches of at most {@link OBSERVATION_BATCH}; `buckets` sums the
   * batches' (a bucket two batches touch counts twice).
   */
  async recordObservations(observations: ObservationInput[]): Promise<{ recorded: number; buckets: number }> {
    let recorded = 0;
    let buckets = 0;
    for (let start = 0; start < observations.length || start === 0; start += OBSERVATION_BATCH) {
      const answer = await this.http.call<{ recorded: number; buckets: number }>('POST', '/observations', {
        observations: observations.slice(start, start + OBSERVATION_BATCH),
      });
      recorded += answer.recorded;
      buckets += answer.buckets;
    }
    return { recorded, buckets };
  }

  async latestStable(model: string): Promise<ModelVersion> {
    return latestStableOf(await this.requireModel(model));
  }

  trend(
    model: string,
    metric: string,
    options: { evalSet?: string; lowerIsBetter?: boolean } = {},
  ): Promise<MetricTrend> {
    return this.http.call(
      'GET',
      `/models/${seg(model)}/trend${queryString({
        metric,
        evalSet: options.evalSet,
        lowerIsBetter: options.lowerIsBetter === true ? 'true' : undefined,
      })}`,
    );
  }

  setGuardPolicy(model: string, policy: unknown): Promise<StoredGuardPolicy> {
    return this.http.call('PUT', `/models/${seg(model)}/guard-policy`, { policy });
  }

  /** The model's default guard policy, or null when none was set (the API's 404). */
  async guardPolicy(model: string): Promise<StoredGuardPolicy | null> {
    try {
      return await this.http.call<StoredGuardPolicy>('GET', `/models/${seg(model)}/guard-policy`);
    } catch (err) {
      if (err instanceof ModelctlError && err.code === ErrorCode.NOT_FOUND) return null;
      throw err;
    }
  }

  /**
   * Attaches the samples in one request (the server replaces the set whole, so it cannot be split).
   * @throws ModelctlError INVALID_INPUT (as the library), REFUSED for more than 100,000 samples (the API's limit)
   */
  async attachEvaluation(raw: AttachEvaluationInput): Promise<{ evalSet: string; samples: number; metrics: string[] }> {
    const input = parseInput(AttachEvaluationInput, raw, 'evaluation');
    if (input.samples.length > this.evaluationSampleLimit) throw tooManyEvaluationSamples(input.samples.length);
    const { evalSet, samples, metrics } = await this.http.call<{ evalSet: string; samples: number; metrics: string[] }>(
      'PUT',
      `/models/${seg(input.model)}/versions/${seg(input.version)}/evaluations/${seg(input.evalSet)}`,
      { samples: input.samples },
    );
    return { evalSet, samples, metrics };
  }

  async assignUnits(id: string, unitIds: string[]): Promise<UnitAssignment[]> {
    const out: UnitAssignment[] = [];
    for (const units of batches(unitIds))
      out.push(
        ...(await this.http.call<{ items: UnitAssignment[] }>('POST', `/ab-tests/${seg(id)}/assignments`, { units }))
          .items,
      );
    return out;
  }

  /** Checks the whole batch first (as the library does), then sends it 10,000 outcomes at a time. */
  async recordOutcomes(id: string, outcomes: Parameters<RegistryOperations['recordOutcomes']>[1]) {
    const total = { recorded: 0, control: 0, treatment: 0 };
    for (const part of batches(validateOutcomes(outcomes))) {
      const one = await this.http.call<typeof total>('POST', `/ab-tests/${seg(id)}/outcomes`, { outcomes: part });
      total.recorded += one.recorded;
      total.control += one.control;
      total.treatment += one.treatment;
    }
    return total;
  }

  readonly tokens: RegistryOperations['tokens'] = {
    create: async (input) => {
      const { token, ...record } = await this.http.call<ApiTokenRecord & { token: string }>('POST', '/tokens', input);
      return { token, record };
    },
    list: () => allPages<ApiTokenRecord>(this.http, '/tokens'),
    revoke: (name) => this.http.call('DELETE', `/tokens/${seg(name)}`),
  };
}
