import type { ApiTokens } from '../client/api-tokens';
import type { ModelRegistry } from '../client/model-registry';

/** A dependency the server needs to be ready, probed by `/readyz`; throws when it is unreachable. */
export type ReadinessCheck = () => Promise<void>;

/** What the routes work with: the library objects, built once per server process. */
export interface ApiContext {
  registry: ModelRegistry;
  tokens: ApiTokens;
  /** Named probes of `/readyz` (the store, Temporal). */
  readiness: Record<string, ReadinessCheck>;
}
