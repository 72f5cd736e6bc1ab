import type { Command } from 'commander';
import { z } from 'zod';
import { DurationMs } from '../../domain/duration';
import { ModelName } from '../../domain/names';
import { parseFlags } from '../parse-flags';
import { runDemo, type DemoReport } from '../../demo/run-demo';
import { action } from '../action';
import { configFrom } from '../config-options';
import { ensureBackgroundServer, type BackgroundServer } from '../../client/background-server';
import { formatResult } from './abtest/status';
import { formatP } from '../../stats/decision';

function pct(x: number | null): string {
  return x === null ? '-' : `${(x * 100).toFixed(2)}%`;
}

function num(x: number | null): string {
  return x === null ? '-' : String(Number(x.toPrecision(4)));
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`.trimEnd()).join('\n');
}

/** The demo's readable summary. */
/** What `modelctl demo` answers: the demo's report and the HTTP server left running (null with --dashboard-port 0). */
export type DemoAnswer = DemoReport & { dashboard: BackgroundServer | null };

function dashboardLines(d: BackgroundServer | null): string[] {
  if (d === null) return [];
  if (!d.running) return ['', `dashboard: not started — ${d.reason} (log ${d.logFile})`];
  return [
    '',
    `dashboard: ${d.url} (modelctl serve, ${d.started ? 'started' : 'already running'} in the background; log ${d.logFile})`,
    `  log in: npx modelctl ui --url ${d.url}   stop it with the worker and Temporal: npx modelctl dev --stop`,
  ];
}

export function formatDemo(r: DemoAnswer): string {
  const versions = [r.versions.v1, r.versions.v2];
  const latest = r.history.versions.filter((v) => versions.some((x) => x.version === v.version));
  const audit = r.history.versions
    .flatMap((v) => v.timeline.map((t) => ({ version: v.version, ...t })))
    .filter((e) => versions.some((x) => x.version === e.version))
    .sort((a, b) => a.at.localeCompare(b.at));
  return [
    '',
    `== ${r.model}: two versions trained on ${r.heldOut.trainRows} handwritten digits, evaluated on ${r.heldOut.rows} held out (experiment ${r.experimentId})`,
    table([
      ['version', 'status', 'held-out accuracy', 'log-loss', 'parent', 'git commit'],
      ...latest.map((v) => [
        v.version,
        v.status,
        pct(v.metrics.accuracy ?? null),
        num(v.metrics.logLoss ?? null),
        v.parentVersion ?? '-',
        v.git ? `${v.git.commit.slice(0, 10)}${v.git.dirty ? ' (dirty)' : ''}` : `none (${v.gitReason ?? 'unknown'})`,
      ]),
    ]),
    '',
    `== metrics side by side (${r.comparison.a.version} → ${r.comparison.b.version})`,
    table([
      ['metric', r.comparison.a.version, r.comparison.b.version, 'absolute', 'relative'],
      ...r.comparison.metrics.map((m) => [
        m.name,
        num(m.a),
        num(m.b),
        num(m.absoluteDifference),
        pct(m.relativeDifference),
      ]),
    ]),
    ...r.comparison.significance.map(
      (s) =>
        `${s.metric} on ${s.units.a} ${s.evalSet} (${s.paired ? 'paired' : 'unpaired'}, ${s.test}): ${pct(s.difference.estimate)}${s.difference.ciLow === null || s.difference.ciHigh === null ? '' : ` [${pct(s.difference.ciLow)}, ${pct(s.difference.ciHigh)}] 95% CI`}, p = ${s.pValue === null ? 'n/a' : formatP(s.pValue)} → ${s.verdict}`,
    ),
    '',
    `== promotion: ${r.promotion.model}@${r.promotion.version} ${r.promotion.outcome}${r.promotion.gates.length ? ` (${r.promotion.gates.map((g) => `${g.gate}: ${g.passed ? 'passed' : 'failed'}`).join(', ')})` : ''}`,
    '',
    '== A/B test',
    formatResult(r.abTest, r.links.abTest ?? null),
    '',
    `== guard: ${r.guard.model}@${r.guard.version} ${r.guard.status} at check ${r.guard.checkCount} (holdout on ${r.guard.baselineVersion ?? '-'}), live traffic drifted`,
    ...(r.guard.checks.at(-1)?.metrics ?? []).map((m) => `  ${m.metric} ${m.check}: ${m.outcome} — ${m.reason}`),
    `== automatic rollback: ${r.rollback.model}@${r.rollback.version} back in PRODUCTION, ${r.rollback.previousVersion} DEPRECATED, by ${r.rollback.actor}`,
    '',
    '== audit trail',
    table([
      ['time', 'version', 'from', 'to', 'actor', 'reason / workflow'],
      ...audit.map((e) => [
        e.at,
        e.version,
        e.fromStatus ?? '-',
        e.toStatus,
        e.actor,
        `${e.reason ?? ''}${e.workflowId ? ` [${e.workflowId}]` : ''}`,
      ]),
    ]),
    '',
    '== Temporal Web UI',
    ...Object.entries(r.links).map(([k, v]) => `  ${k}: ${v ?? '(UI address unknown)'}`),
    '',
    `report: ${r.reportFile}`,
    ...dashboardLines(r.dashboard),
  ].join('\n');
}

// Refused before the demo trains or writes anything.
const DemoFlags = z.object({
  abDuration: DurationMs,
  model: ModelName,
  dashboardPort: z.coerce.number().int().min(0, 'must be in [0, 65535]').max(65_535, 'must be in [0, 65535]'),
});

/** `modelctl demo`: the whole lifecycle on real data. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'train two digit classifiers and run the whole lifecycle: register, promote, A/B test, guard, automatic rollback (embedded defaults)',
    )
    .option('--ab-duration <duration>', 'how long the A/B test runs (a real durable timer)', '20s')
    .option('--model <name>', 'model name', 'digits')
    .option(
      '--dashboard-port <port>',
      'port of the HTTP server and dashboard left running at the end (127.0.0.1; 0: none)',
      '8080',
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ modelctl demo                 # or: npm run demo\n  $ modelctl demo --json > demo.json',
    )
    .action(
      action(async (raw: { abDuration: string; model: string; dashboardPort: string }, command: Command) => {
        const flags = parseFlags(DemoFlags, raw);
        const json = Boolean(command.optsWithGlobals().json);
        const config = configFrom(command);
        const log = json ? undefined : (line: string) => process.stderr.write(`• ${line}\n`);
        const report = await runDemo({ config, model: raw.model, abTestDuration: raw.abDuration, log });
        if (flags.dashboardPort === 0) return { ...report, dashboard: null };
        log?.(`starting the HTTP server and dashboard on 127.0.0.1:${flags.dashboardPort}…`);
        return { ...report, dashboard: await ensureBackgroundServer(config, flags.dashboardPort) };
      }, formatDemo),
    );
}
