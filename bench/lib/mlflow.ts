/** Runs the Python MLflow driver (bench/mlflow-driver.py) and parses the JSON it prints. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchContext } from './context';

const run = promisify(execFile);
const DRIVER = join(__dirname, '..', 'mlflow-driver.py');

/**
 * The MLflow tracking server of a backend once it answers /health (scripts/bench starts it in the background while
 * the first benchmarks run), or undefined with the reason logged.
 */
export async function mlflowServer(ctx: BenchContext, backend: 'sqlite' | 'postgres'): Promise<string | undefined> {
  const uri = ctx.mlflow[backend];
  if (uri === undefined || ctx.mlflowPython === undefined) {
    ctx.log(`MLflow (${backend}) not started: its column stays empty`);
    return undefined;
  }
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${uri}/health`)).ok) return uri;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`MLflow server ${uri} did not answer /health within 150 s`);
}

export async function mlflowDriver<T>(ctx: BenchContext, args: string[]): Promise<T> {
  const { stdout } = await run(ctx.mlflowPython!, [DRIVER, ...args], {
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, MLFLOW_ENABLE_ASYNC_LOGGING: 'false' },
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}
