import type { Command } from 'commander';
import type { AbTestResult } from '../../../domain/ab-test';
import { interimAnalysis } from '../../../client/ab-test-traffic';
import { workflowUrl } from '../../../client/temporal-runtime';
import { abTestWorkflowId } from '../../../workflows/ab-test.contract';
import { action } from '../../action';
import { withLifecycle } from '../../lifecycle-context';
import { withRegistry } from '../../with-registry';
import { formatVerdict } from './format';

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
        async (id: string, raw: { wait?: boolean }, command: Command) =>
          withLifecycle(command, async ({ lifecycle, runtime }) => {
            const url = workflowUrl(runtime, abTestWorkflowId(id));
            if (raw.wait) return { kind: 'result' as const, result: await lifecycle.abTestResult(id), url };
            const state = await lifecycle.abTestState(id);
            if (state.status !== 'SCHEDULED' && state.status !== 'RUNNING') {
              // An ended test shows its stored result (how it ended and why), not an interim look.
              const stored = await withRegistry(command, (registry) => registry.store.getAbTest(id));
              if (stored?.result) return { kind: 'result' as const, result: stored.result, url };
            }
            const interim = await withRegistry(
              command,
              async (registry) => (await interimAnalysis(registry.store, id)).verdict,
            );
            return { kind: 'interim' as const, state, interim, url };
          }),
        (r) => {
          if (r.kind === 'result') return formatResult(r.result, r.url);
          return [
            `A/B test ${r.state.id}: ${r.state.status} (started ${r.state.startedAt}, ends ${r.state.endsAt})`,
            ...(r.url ? [`  ${r.url}`] : []),
            'interim analysis (always-valid p-values):',
            formatVerdict(r.interim),
          ].join('\n');
        },
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
  ].join('\n');
}
