/**
 * A/B testing on the serving side and at the decision: assign() calls per second (and the pre-validated assigner a
 * server would hold), and the time from recording N outcomes to a decision: recordOutcomes in batches →
 * aggregateOutcomes (per-arm sufficient statistics in SQL) → analyzeAbTest.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { openStore } from '../src/store';
import { analyzeAbTest, assign, createAssigner } from '../src/stats';
import type { Benchmark, BenchContext } from './lib/context';
import { median, timed } from './lib/measure';
import { freshDatabase } from './lib/postgres';
import { fmt, type Row } from './lib/report';

const SPLIT = { control: 5000, treatment: 5000 };
const RECORD_BATCH = 10_000;

function assignRate(calls: number, fn: (unit: string) => unknown): number {
  const units = Array.from({ length: 1024 }, (_, i) => `user-${i}-${randomBytes(4).toString('hex')}`);
  const start = performance.now();
  for (let i = 0; i < calls; i++) fn(units[i & 1023]!);
  return (calls * 1000) / (performance.now() - start);
}

async function analysis(
  ctx: BenchContext,
  backend: 'sqlite' | 'postgres',
  outcomes: number,
): Promise<{ recordMs: number; aggregateMs: number; analyzeMs: number; decision: string }> {
  const databaseUrl = backend === 'postgres' ? await freshDatabase(ctx.pgAdminUrl!, 'bench_ab') : undefined;
  const store = await openStore(
    databaseUrl ? { databaseUrl } : { sqlitePath: join(ctx.tmp, `ab-${outcomes}`, 'registry.sqlite') },
  );
  try {
    const artifact = {
      uri: 'file:///dev/null',
      sha256: '0'.repeat(64),
      sizeBytes: 0,
      mediaType: 'application/octet-stream',
    };
    for (const version of ['1.0.0', '1.1.0']) {
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
    }
    await store.createAbTest({
      id: 'ab-bench',
      name: 'ab-bench',
      model: 'ab',
      control: '1.0.0',
      treatment: '1.1.0',
      split: SPLIT,
    });
    const assigner = createAssigner('ab-bench', SPLIT);
    const record = await timed(async () => {
      for (let first = 0; first < outcomes; first += RECORD_BATCH) {
        const batch = [];
        for (let i = first; i < Math.min(first + RECORD_BATCH, outcomes); i++) {
          const unitId = `u${i}`;
          const arm = assigner(unitId).arm;
          // Conversion 10% vs 10.3%, decided by the unit's number so every run records the same data.
          const value = (i * 7919) % 1000 < (arm === 'control' ? 100 : 103) ? 1 : 0;
          batch.push({ unitId, arm, value });
        }
        await store.recordOutcomes('ab-bench', batch);
      }
    });
    const aggregate = await timed(() => store.aggregateOutcomes('ab-bench'));
    const { control, treatment } = aggregate.value;
    if (control.units + treatment.units !== outcomes)
      throw new Error(`aggregated ${control.units + treatment.units} units, recorded ${outcomes}`);
    const analyzed = await timed(async () =>
      analyzeAbTest({
        metric: 'binary',
        split: SPLIT,
        control: { units: control.units, conversions: control.sum },
        treatment: { units: treatment.units, conversions: treatment.sum },
      }),
    );
    return {
      recordMs: record.ms,
      aggregateMs: aggregate.ms,
      analyzeMs: analyzed.ms,
      decision: analyzed.value.decision,
    };
  } finally {
    await store.close();
  }
}

export const abTesting: Benchmark = {
  name: 'ab-testing',
  async run(ctx) {
    const calls = ctx.quick ? 200_000 : 2_000_000;
    const assignRates: number[] = [];
    const assignerRates: number[] = [];
    for (let r = 0; r < Math.max(3, ctx.runs); r++) {
      assignRates.push(assignRate(calls, (u) => assign('ab-bench', u, SPLIT)));
      assignerRates.push(assignRate(calls, createAssigner('ab-bench', SPLIT)));
    }
    const rows: Row[] = [
      {
        group: 'ab',
        case: 'assign(salt, unit, split)',
        modelctl: `${fmt(median(assignRates))} calls/s`,
        note: 'validates the split on every call',
      },
      {
        group: 'ab',
        case: 'createAssigner(salt, split)(unit)',
        modelctl: `${fmt(median(assignerRates))} calls/s`,
        note: 'split validated once',
      },
    ];
    const sizes: { backend: 'sqlite' | 'postgres'; outcomes: number }[] = ctx.quick
      ? [{ backend: 'sqlite', outcomes: 200_000 }]
      : [
          { backend: 'sqlite', outcomes: 10_000_000 },
          ...(ctx.pgAdminUrl ? [{ backend: 'postgres' as const, outcomes: 1_000_000 }] : []),
        ];
    for (const { backend, outcomes } of sizes) {
      ctx.log(`ab-testing: ${backend}, ${fmt(outcomes)} outcomes`);
      // One run at 10M: it is the longest single step of the benchmark and its parts vary little.
      const runs: Awaited<ReturnType<typeof analysis>>[] = [];
      for (let r = 0; r < (outcomes >= 10_000_000 ? 1 : ctx.runs); r++)
        runs.push(await analysis(ctx, backend, outcomes));
      const m = (k: 'recordMs' | 'aggregateMs' | 'analyzeMs') => median(runs.map((x) => x[k]));
      const label = `${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${fmt(outcomes)} outcomes`;
      rows.push(
        {
          group: 'ab',
          case: `${label}: record (batches of ${fmt(RECORD_BATCH)})`,
          modelctl: `${fmt(m('recordMs') / 1000)} s`,
          note: `${fmt((outcomes * 1000) / m('recordMs'))} outcomes/s`,
        },
        { group: 'ab', case: `${label}: aggregate (SQL)`, modelctl: `${fmt(m('aggregateMs'))} ms` },
        {
          group: 'ab',
          case: `${label}: analyse → decision`,
          modelctl: `${fmt(m('analyzeMs'), 2)} ms`,
          note: `decision: ${runs[0]!.decision}`,
        },
        {
          group: 'ab',
          case: `${label}: recording to decision`,
          modelctl: `${fmt((m('recordMs') + m('aggregateMs') + m('analyzeMs')) / 1000)} s`,
        },
      );
    }
    return [
      {
        title: 'Assignment and analysis',
        method: `assign: ${fmt(calls)} calls over 1,024 unit ids, median of ${Math.max(3, ctx.runs)} runs. Analysis: binary outcomes (10% vs 10.3%) for units u0…uN assigned 50/50 by the test's hash, recorded by one client; then the per-arm aggregate and the two-proportion analysis with SRM check. No peer: MLflow has no A/B testing.`,
        rows,
      },
    ];
  },
};
