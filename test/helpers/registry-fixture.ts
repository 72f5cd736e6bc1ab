import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactStore } from '../../src/artifacts/artifact-store';
import { LocalArtifactStore } from '../../src/artifacts';
import { openStore } from '../../src/store';
import type { RegistryStore } from '../../src/store/registry-store';
import type { MetricMap } from '../../src/domain/json';
import type { ModelVersion } from '../../src/domain/model-version';

/** A real registry for a test: a SQLite file and a local artifact directory in a temp dir of its own. */
export interface TestRegistry {
  dir: string;
  store: RegistryStore;
  artifacts: ArtifactStore;
  /** Stores `content` as the artifact and registers the version (status VALIDATION unless given). */
  register(
    model: string,
    version: string,
    options?: { metrics?: MetricMap; status?: 'TRAINING' | 'VALIDATION'; content?: string; parentVersion?: string },
  ): Promise<ModelVersion>;
  close(): Promise<void>;
}

/**
 * @param dir an existing directory to use as MODELCTL_HOME (its layout matches the defaults: registry.sqlite and
 *            artifacts/), so worker processes started with MODELCTL_HOME=dir see the same registry; default a new temp dir.
 */
export async function createTestRegistry(
  dir: string = mkdtempSync(join(tmpdir(), 'modelctl-registry-')),
): Promise<TestRegistry> {
  const store = await openStore({ home: dir });
  const artifacts = new LocalArtifactStore(join(dir, 'artifacts'));
  let n = 0;
  return {
    dir,
    store,
    artifacts,
    async register(model, version, options = {}) {
      const file = join(dir, `artifact-${n++}.bin`);
      writeFileSync(file, options.content ?? `${model}@${version} weights`);
      const artifact = await artifacts.put(file);
      return store.createVersion({
        model,
        version,
        parentVersion: options.parentVersion ?? null,
        status: options.status ?? 'VALIDATION',
        artifact,
        config: {},
        metrics: options.metrics ?? {},
        git: null,
        gitReason: 'not a repository',
        author: 'tester',
      });
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
