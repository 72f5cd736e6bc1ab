import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiTokens } from '../client/api-tokens';
import { ModelRegistry } from '../client/model-registry';
import { loadConfig } from '../config/environment';
import { buildApi } from './app';

/**
 * The OpenAPI 3.1 document `modelctl serve` answers at /api/openapi.json, without a server or a registry of the
 * caller's: the routes are built over a throwaway SQLite registry that is removed afterwards. The dashboard's
 * build generates its API types from it, so a changed route breaks the dashboard's build.
 * @returns the document as JSON-ready data
 */
export async function openApiDocument(): Promise<unknown> {
  const home = mkdtempSync(join(tmpdir(), 'modelctl-openapi-'));
  try {
    const registry = await ModelRegistry.open({ config: loadConfig({}, { MODELCTL_HOME: home }) });
    try {
      const app = await buildApi({ registry, tokens: new ApiTokens(registry.store), readiness: {}, workflows: null });
      await app.ready();
      const document = app.swagger();
      await app.close();
      return document;
    } finally {
      await registry.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
