import type { Command } from 'commander';
import type { AbTestResult } from '../../../domain/ab-test';
import { action } from '../../action';
import { withLifecycle } from '../../lifecycle-context';
import { formatVerdict } from './format';
import { z } from 'zod';
import { AbTestId } from '../../../domain/ab-test';
import { parseFlags } from '../../parse-flags';

export function registerAbTestStatus(abtest: Command): void {
  abtest
    .command('status <id>')
    .description(
      'state of a running test and an interim analysis with always-valid p-values (safe to look at any time), or the result of an ended one; --wait for the final result',
    )
    .option('--wait', 'wait until the test ends and print its result')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl abtest status digits-exp\n  $ modelctl abtest status digits-exp --wait --json',
    )
    .action(
      action(
        async (id: string, raw: { wait?: boolean }, command: Command) => {
          parseFlags(z.object({ id: AbTestId }), { id }, ['id']);
          return withLifecycle(command, (lifecycle) => lifecycle.abTestStatus(id, Boolean(raw.wait)));
        },
        (r) => {
          if (r.kind === 'result') return formatResult(r.result, r.url);
          return [
            `A/B test ${r.state.id}: ${r.state.status} (started ${r.state.startedAt}, ends ${r.state.endsAt})`,
            ...(r.url ? [`  ${r.url}`] : []),
            'interim analysis (always-valid p-values):',
            ...(r.interim ? [formatVerdict(r.interim)] : ['no outcomes recorded yet']),
          ].join('\n');
        },
        (r) => (r.kind === 'result' ? r.result.warnings : []),
      ),
    );
}

/** Human text of a finished test. */
export function formatResult(r: AbTestResult, url: string | null): string {
  return [
    `A/B test ${r.id}: ${r.status} — ${r.model} ${r.control} (control) vs ${r.treatment} (treatment)`,
    ...(url ? [`  ${url}`] : []),
    ...(r.analysis ? [formatVerdict(r.analysis)] : [`reason: ${r.reason}`]),
    ...(r.promotion ? [`promoted: ${r.promotion.model}@${r.promotion.version} is in PRODUCTION`] : []),
    ...(r.promotionError ? [`promotion refused: ${r.promotionError}`] : []),
    ...(r.guard
      ? [
          `guarded: ${r.guard.workflowId} watches ${r.model}@${r.guard.version} against ${r.guard.baselineVersion} (modelctl guard status ${r.model})`,
        ]
      : []),
    ...(r.guardError ? [`not guarded: ${r.guardError}`] : []),
  ].join('\n');
}
