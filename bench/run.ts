/**
 * Benchmark runner: `npm run bench [-- --quick] [-- --only registration,metrics]` (through scripts/bench, which starts
 * PostgreSQL and the MLflow servers). Prints a table per section and writes the figures between the markers of
 * docs/benchmarks.md (full runs) or .tools/bench/benchmarks-quick.md (--quick), keeping the text around them.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Benchmark, BenchContext } from './lib/context';
import { describeMachine } from './lib/machine';
import { mlflowServer } from './lib/mlflow';
import { consoleTable, markdownSection, type Section } from './lib/report';
import { registration } from './registration';
import { metrics } from './metrics';
import { artifacts } from './artifacts';
import { abTesting } from './ab-testing';
import { workflows } from './workflows';
import { server } from './server';
import { guard } from './guard';
import { observations } from './observations';
import { dashboard } from './dashboard';

const ROOT = resolve(__dirname, '..');
const BENCHMARKS: Benchmark[] = [
  registration,
  metrics,
  artifacts,
  abTesting,
  workflows,
  server,
  guard,
  observations,
  dashboard,
];
const START = '<!-- figures:start -->';
const END = '<!-- figures:end -->';

function parseArgs(argv: string[]): { quick: boolean; only: string[] | null; out: string | null; runs: number | null } {
  const args = { quick: false, only: null as string[] | null, out: null as string | null, runs: null as number | null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') args.out = argv[++i] ?? null;
    else if (a === '--runs') args.runs = Number(argv[++i]);
    else
      throw new Error(
        `unknown argument ${a}; allowed: --quick, --only <${BENCHMARKS.map((b) => b.name).join(',')}>, --out <file>, --runs <n>`,
      );
  }
  const unknown = (args.only ?? []).filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark ${unknown.join(', ')}; allowed: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  return args;
}

function document(sections: Section[], quick: boolean, command: string, seconds: number): string {
  const m = describeMachine();
  return [
    START,
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${command}\` (${quick ? 'quick mode: smaller counts' : 'full run'}, ${Math.round(seconds)} s).`,
    '',
    `Machine: ${m.nproc} CPUs (\`nproc\`), ${m.memoryGiB.toFixed(1)} GiB memory, ${m.cpuModel}; ${m.kernel}; Node ${m.node}. A shared machine: other work ran beside the benchmark, so figures are medians and every ratio compares two figures taken in the same run.`,
    '',
    ...sections.flatMap((s) => [markdownSection(s), '']),
    END,
  ].join('\n');
}

function writeDocument(path: string, generated: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\n';
  const s = old.indexOf(START);
  const e = old.indexOf(END);
  const next =
    s >= 0 && e > s ? old.slice(0, s) + generated + old.slice(e + END.length) : `${old.trimEnd()}\n\n${generated}\n`;
  writeFileSync(path, next);
}

/** The figures block of `path` (markers included), or null when it has none. */
function figuresBlock(path: string): string | null {
  if (!existsSync(path)) return null;
  const old = readFileSync(path, 'utf8');
  const s = old.indexOf(START);
  const e = old.indexOf(END);
  return s >= 0 && e > s ? old.slice(s, e + END.length) : null;
}

/**
 * A run of some sections (`--only`) replaces those sections in the existing figures (each `### title` up to the
 * next) and appends new ones, keeping the others and the header of the run that measured them; every section it
 * writes says when and how it was measured.
 */
function mergeSections(block: string, sections: Section[], command: string): string {
  const body = block.slice(START.length, block.length - END.length).trim();
  const parts = body.split(/\n(?=### )/);
  const stamp = `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${command}\`.`;
  for (const section of sections) {
    const text = markdownSection({ ...section, method: `${stamp} ${section.method}` });
    const at = parts.findIndex((p) => p.startsWith(`### ${section.title}\n`));
    if (at >= 0) parts[at] = text;
    else parts.push(text);
  }
  return [START, parts.map((p) => p.trim()).join('\n\n'), '', END].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const tmp = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'modelctl-bench-'));
  const ctx: BenchContext = {
    quick: args.quick,
    runs: args.runs ?? (args.quick ? 1 : 3),
    tmp,
    pgAdminUrl: process.env.BENCH_PG_URL || undefined,
    mlflow: {
      ...(process.env.BENCH_MLFLOW_SQLITE ? { sqlite: process.env.BENCH_MLFLOW_SQLITE } : {}),
      ...(process.env.BENCH_MLFLOW_POSTGRES ? { postgres: process.env.BENCH_MLFLOW_POSTGRES } : {}),
    },
    mlflowPython: process.env.BENCH_MLFLOW_PYTHON || undefined,
    log: (message) => process.stderr.write(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${message}\n`),
  };
  const sections: Section[] = [];
  // MLflow's servers start in the background; their start-up (seconds of CPU on each of two servers) would otherwise
  // land on the first modelctl measurements.
  for (const backend of ['sqlite', 'postgres'] as const) {
    if (ctx.mlflow[backend] !== undefined) {
      ctx.log(`waiting for the MLflow server on ${backend}`);
      await mlflowServer(ctx, backend);
    }
  }
  try {
    for (const b of BENCHMARKS.filter((x) => args.only === null || args.only.includes(x.name))) {
      const produced = await b.run(ctx);
      for (const s of produced) console.log(`${consoleTable(s)}\n`);
      sections.push(...produced);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const out = resolve(ROOT, args.out ?? (args.quick ? '.tools/bench/benchmarks-quick.md' : 'docs/benchmarks.md'));
  const existing = args.only === null ? null : figuresBlock(out);
  writeDocument(
    out,
    existing === null
      ? document(sections, args.quick, command, (Date.now() - started) / 1000)
      : mergeSections(existing, sections, command),
  );
  ctx.log(`figures written to ${out}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
