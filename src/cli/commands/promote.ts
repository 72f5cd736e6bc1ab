import type { Command } from 'commander';
import { defaultActor } from '../default-actor';
import { z } from 'zod';
import { numberText, strictNumber } from '../../domain/strict-number';
import { ErrorCode, ModelctlError, parseInput } from '../../domain/errors';
import { ApprovalDecision, PromoteModelInput, type PromotionResult } from '../../domain/promotion';
import { parseFlags, parseFlagsAs } from '../parse-flags';
import { action } from '../action';
import { collect, withLifecycle } from '../lifecycle-context';
import { readJsonArgument } from '../../client/input-file';
import { GuardPolicy } from '../../domain/guard-policy';
import type { GuardState } from '../../domain/guard';
import { formatGuardState } from './guard/format';

const GATE = /^([A-Za-z0-9_.:/-]+)\s*(>=|<=|>|<)\s*(-?[0-9.eE+-]+)$/;

/** `accuracy>=0.9` → a threshold gate. @throws INVALID_INPUT naming --gate */
export function parseGate(text: string): { metric: string; op: '>=' | '>' | '<=' | '<'; value: number } {
  const m = GATE.exec(text.trim());
  const value = m ? strictNumber(m[3]!) : undefined;
  if (!m || value === undefined) {
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid --gate ${JSON.stringify(text)}: expected <metric><op><number> with op one of >=, >, <=, < (e.g. accuracy>=0.9)`,
    );
  }
  return { metric: m[1]!, op: m[2] as '>=' | '>' | '<=' | '<', value };
}

const Flags = z.object({
  gate: z.array(z.string()).default([]),
  notWorse: z.array(z.string()).default([]),
  lowerIsBetter: z.array(z.string()).default([]),
  tolerance: numberText(z.number().min(0, 'must not be negative')).optional(),
  requireApproval: z.union([z.string(), z.boolean()]).optional(),
  onGateFailure: z.enum(['FAIL', 'KEEP'], { error: 'must be one of FAIL, KEEP' }).default('FAIL'),
  actor: z.string().default(defaultActor),
  reason: z.string().optional(),
  attach: z.boolean().default(false),
  wait: z.boolean().default(true),
  guard: z.string().optional(),
});

/** Where each field of the promotion input comes from on the command line, for error messages. */
const PROMOTE_LABELS = {
  model: '<model>',
  version: '<version>',
  'gates.thresholds': '--gate',
  'gates.notWorseThanProduction': '--not-worse',
  'gates.lowerIsBetter': '--lower-is-better',
  'gates.tolerance': '--tolerance',
  requireApproval: '--require-approval',
};

type Outcome =
  (PromotionResult & { url: string | null; guard: GuardState | null }) | { started: string; url: string | null };

function human(r: PromotionResult & { url: string | null; guard: GuardState | null }): string {
  const lines = [
    r.outcome === 'PROMOTED'
      ? `${r.model}@${r.version} is in PRODUCTION${r.previousVersion ? ` (${r.previousVersion} → DEPRECATED)` : ''}`
      : `${r.model}@${r.version} was already in PRODUCTION; nothing changed`,
    ...r.gates.map((g) => `  gate ${g.passed ? 'passed' : 'FAILED'}: ${g.gate} — ${g.detail}`),
  ];
  if (r.approvedBy) lines.push(`  approved by ${r.approvedBy}`);
  if (r.url) lines.push(`  workflow: ${r.url}`);
  if (r.guard) lines.push(formatGuardState(r.guard));
  return lines.join('\n');
}

/** `modelctl promote <model> <version>`: the promoteModel workflow. */
export function registerPromote(program: Command): void {
  program
    .command('promote <model> <version>')
    .description(
      'promote a version to production through the promoteModel workflow (artifact check, gates, optional approval, atomic swap)',
    )
    .option('--gate <metric op value>', 'threshold gate, e.g. accuracy>=0.9 (repeatable)', collect, [])
    .option(
      '--not-worse <metric>',
      'the candidate must not be worse than production on this metric (repeatable)',
      collect,
      [],
    )
    .option('--lower-is-better <metric>', 'for --not-worse: smaller is better (repeatable)', collect, [])
    .option('--tolerance <number>', 'absolute tolerance of --not-worse gates')
    .option('--require-approval [timeout]', 'wait for `modelctl approve` (timeout like 24h; default 24h)')
    .option(
      '--on-gate-failure <FAIL|KEEP>',
      'a failed candidate becomes FAILED (default) or stays in VALIDATION',
      'FAIL',
    )
    .option('--actor <name>', 'who promotes (audit trail; default $USER)')
    .option('--reason <text>', 'why (audit trail)')
    .option('--attach', 'attach to a promotion of this model that is already running instead of refusing')
    .option('--no-wait', 'start the workflow and return its id without waiting')
    .option(
      '--guard <json|@file>',
      'once promoted, guard the version with this policy (checked before the promotion starts)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl promote digits 1.1.0 --gate "accuracy>=0.9" --not-worse accuracy --reason "weekly retrain"\n  $ modelctl promote digits 1.1.0 --require-approval 2h && modelctl approve digits --approver lead@example.com',
    )
    .action(
      action(
        async (model: string, version: string, raw: unknown, command: Command) => {
          const f = parseFlags(Flags, raw as Record<string, unknown>);
          // A bad policy must not leave a promoted version unguarded: refuse it before anything starts.
          const policy = f.guard === undefined ? undefined : await readJsonArgument('--guard', f.guard);
          if (policy !== undefined) parseInput(GuardPolicy, policy, '--guard');
          if (policy !== undefined && !f.wait)
            throw new ModelctlError(
              ErrorCode.INVALID_INPUT,
              'invalid --guard: needs the promotion to be waited for (drop --no-wait)',
            );
          const input = parseFlagsAs(
            PromoteModelInput,
            {
              model,
              version,
              actor: f.actor,
              reason: f.reason,
              onGateFailure: f.onGateFailure,
              gates: {
                thresholds: f.gate.map(parseGate),
                notWorseThanProduction: f.notWorse,
                lowerIsBetter: f.lowerIsBetter,
                tolerance: f.tolerance ?? 0,
              },
              requireApproval:
                f.requireApproval === undefined
                  ? undefined
                  : typeof f.requireApproval === 'string'
                    ? { timeout: f.requireApproval }
                    : {},
            },
            PROMOTE_LABELS,
          );
          return withLifecycle(command, async (lifecycle): Promise<Outcome> => {
            const { workflowId, url } = await lifecycle.startPromotion(input, { attach: f.attach });
            if (!f.wait) return { started: workflowId, url };
            if (process.stderr.isTTY && !command.optsWithGlobals().json)
              process.stderr.write(`waiting for ${workflowId}${url ? ` (${url})` : ''}…\n`);
            const promoted = await lifecycle.promotionResult(model, `promotion of ${model}@${version}`);
            if (policy === undefined) return { ...promoted, url, guard: null };
            await lifecycle.startGuard({
              model,
              version: promoted.version,
              policy: policy as GuardPolicy,
              actor: f.actor,
            });
            return { ...promoted, url, guard: await lifecycle.guardState(model) };
          });
        },
        (r) => ('started' in r ? `started ${r.started}${r.url ? ` (${r.url})` : ''}` : human(r)),
        (r) => ('started' in r ? [] : r.warnings),
      ),
    );

  program
    .command('approve <model>')
    .description('approve (or --reject) the promotion of <model> that waits for approval')
    .option('--approver <name>', 'who approves (default $USER)')
    .option('--reject', 'reject instead of approving')
    .option('--comment <text>', 'a note for the audit trail')
    .addHelpText(
      'after',
      '\nExample:\n  $ modelctl approve digits --approver lead@example.com --comment "checked the eval report"',
    )
    .action(
      action(
        async (model: string, raw: { approver?: string; reject?: boolean; comment?: string }, command: Command) => {
          const decision = parseFlagsAs(
            ApprovalDecision,
            { approved: !raw.reject, approver: raw.approver ?? defaultActor(), comment: raw.comment },
            {},
          );
          const recorded = await withLifecycle(command, (lifecycle) => lifecycle.approvePromotion(model, decision));
          return { model, ...recorded };
        },
        (r) => `${r.approved ? 'approved' : 'rejected'} the promotion of ${r.model} as ${r.approver}`,
      ),
    );
}
