/** What every benchmark receives from the runner: the mode and the servers scripts/bench started. */
import type { Section } from './report';

export interface BenchContext {
  quick: boolean;
  /** Repetitions per measurement; the median is reported. */
  runs: number;
  /** A scratch directory removed after the run. */
  tmp: string;
  /** Admin URL of the throwaway PostgreSQL (database `postgres`), or undefined when none was started. */
  pgAdminUrl: string | undefined;
  /** MLflow tracking servers by backend, when started. */
  mlflow: { sqlite?: string; postgres?: string };
  /** Python of the MLflow venv. */
  mlflowPython: string | undefined;
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  run(ctx: BenchContext): Promise<Section[]>;
}
