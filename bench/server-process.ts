/**
 * `modelctl serve` in a process of its own for the server benchmark: `node --import tsx bench/server-process.ts`,
 * forked with an IPC channel, with MODELCTL_HOME (and DATABASE_URL for PostgreSQL). Arranges what the benchmark
 * calls (two versions of model `ab` and the A/B test `ab-bench` between them), starts the server as `modelctl serve`
 * does (pino logging at info, the default rate limit, no Temporal: the measured routes make no workflow call), and sends
 * `{ url, token }` (the first admin token) to the parent. SIGTERM closes it.
 */
import { readFileSync } from 'node:fs';
import { startServer } from '../src/api/server';
import { loadConfig } from '../src/config/environment';
import { AbTestInput } from '../src/domain/ab-test';
import { openStore } from '../src/store';

/** The A/B test the assignment and outcome benchmarks address, and its split. */
export const BENCH_TEST = 'ab-bench';
export const BENCH_SPLIT = { control: 5000, treatment: 5000 };

async function arrange(config: ReturnType<typeof loadConfig>): Promise<void> {
  const store = await openStore(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { home: config.home });
  try {
    const artifact = { uri: 'file:///dev/null', sha256: '0'.repeat(64), sizeBytes: 0, mediaType: 'application/x' };
    for (const version of ['1.0.0', '1.1.0'])
      await store.createVersion({
        model: 'ab',
        version,
        artifact,
        config: {},
        metrics: {},
        git: null,
        gitReason: 'bench',
        author: 'bench',
      });
    const definition = AbTestInput.parse({
      id: BENCH_TEST,
      model: 'ab',
      control: '1.0.0',
      treatment: '1.1.0',
      split: BENCH_SPLIT,
      duration: '1d',
      metric: { name: 'click', kind: 'binary' },
    });
    await store.createAbTest({
      id: BENCH_TEST,
      name: BENCH_TEST,
      model: 'ab',
      control: '1.0.0',
      treatment: '1.1.0',
      split: BENCH_SPLIT,
      salt: BENCH_TEST,
      definition: JSON.parse(JSON.stringify(definition)) as Record<string, never>,
    });
    // Outcomes are recorded only while a test runs; the workflow that would mark it so plays no part here.
    await store.updateAbTest(BENCH_TEST, { status: 'RUNNING', startedAt: new Date().toISOString() });
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  await arrange(config);
  const server = await startServer({
    config,
    port: 0,
    temporal: false,
    // The default rate limit, as `modelctl serve` has it: it must not throttle a serving system at the goal rate.
  });
  const token = readFileSync(server.adminTokenFile!, 'utf8').trim();
  process.send!({ url: server.url, token });
  process.once('SIGTERM', () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
