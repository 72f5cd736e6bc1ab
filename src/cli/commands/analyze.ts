import type { Command } from 'commander';
import { readJsonFile } from '../../client/input-file';
import { ErrorCode, JSON_LIMITS, ModelctlError, parseJsonText } from '../../domain';
import { analyzeAbTest, formatP, type AbTestAnalysis, type Effect } from '../../stats';
import { action } from '../action';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new ModelctlError(ErrorCode.INVALID_INPUT, 'no input: give a file, or pipe the JSON document on stdin');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readDocument(file: string | undefined): Promise<unknown> {
  const what = 'analyze input';
  if (file !== undefined && file !== '-') return readJsonFile(file, what, JSON_LIMITS.fileBytes);
  return parseJsonText(await readStdin(), what, JSON_LIMITS.fileBytes);
}

function num(x: number): string {
  return String(Number(x.toPrecision(4)));
}

function effect(
  label: string,
  e: (Effect & { unbounded?: boolean }) | null,
  scale: (x: number) => string,
  level: string,
): string {
  if (e === null) return `${label}: n/a`;
  const bounds = e.ciLow === null || e.ciHigh === null ? '' : ` [${scale(e.ciLow)}, ${scale(e.ciHigh)}] ${level}`;
  const interval = e.unbounded === true ? ` unbounded ${level} (control mean within noise of 0)` : bounds;
  return `${label}: ${scale(e.estimate)}${interval}`;
}

/** The analysis for a person: the decision first, then the evidence. */
export function formatAnalysis(r: AbTestAnalysis): string {
  const level = `${num((1 - r.alpha) * 100)}% CI`;
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${num(x)}`;
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
  const lines = [
    `decision: ${r.decision} — ${r.reason}`,
    `status: ${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}`,
    `test: ${r.test}${r.statistic === null ? '' : `, statistic ${num(r.statistic)}`}${r.df === null ? '' : `, df ${num(r.df)}`}${r.pValue === null ? '' : `, p = ${formatP(r.pValue)}`}${r.sequentialPValue === null ? '' : `, always-valid p = ${formatP(r.sequentialPValue)}`}`,
    `control: ${r.control.units} units, mean ${num(r.control.mean)}; treatment: ${r.treatment.units} units, mean ${num(r.treatment.mean)}`,
    effect('absolute', r.absolute, signed, level),
    effect('relative', r.relative, pct, level),
    ...(r.sequentialInterval === null
      ? []
      : [
          `always-valid: [${signed(r.sequentialInterval.ciLow)}, ${signed(r.sequentialInterval.ciHigh)}] ${level}, N* = ${r.sequentialTuning} units`,
        ]),
    `SRM: ${r.srm.chi2 === null ? 'χ² n/a' : `χ² = ${num(r.srm.chi2)}`}, p = ${r.srm.pValue === null ? 'n/a' : formatP(r.srm.pValue)}${r.srm.mismatch ? ' — MISMATCH' : ''}`,
    `power: ${r.power === null ? 'n/a' : num(r.power)}`,
    ...r.guardrails.map(
      (g) =>
        `guardrail ${g.name}: ${g.status}, p = ${g.pValueAdjusted === null ? 'n/a' : formatP(g.pValueAdjusted)} (Holm)${g.regression ? ' — REGRESSION' : ''}`,
    ),
  ];
  return lines.join('\n');
}

/** `modelctl analyze [file]`: the A/B analysis and decision of one JSON document. */
export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .argument('[file]', 'JSON document to analyse; stdin when omitted or -')
    .description('analyse an A/B test (binary or continuous metric) and decide: treatment, control or inconclusive')
    .addHelpText(
      'after',
      `
Input (one JSON object):
  {"metric":"binary","control":{"units":10000,"conversions":200},"treatment":{"units":10000,"conversions":250},
   "split":{"control":5000,"treatment":5000},"alpha":0.05}
  {"metric":"continuous","control":{"values":[...]},"treatment":{"values":[...]}}
  {"metric":"continuous","control":{"units":n,"sum":s,"sumSquares":q},"treatment":{...}}
Optional: "test":"mann-whitney", "stopping":"sequential", "minimumDetectableEffect", "guardrails":[...], "higherIsBetter".

Example:
  $ echo '{"metric":"binary","control":{"units":10000,"conversions":200},"treatment":{"units":10000,"conversions":250}}' | modelctl analyze --json`,
    )
    .action(action(async (file: string | undefined) => analyzeAbTest(await readDocument(file)), formatAnalysis));
}
