import type { GuardState } from '../../../domain/guard';

/** The guard for a person: status line, timing, the last check with each metric, the alerts. */
export function formatGuardState(s: GuardState): string {
  const lines = [
    `guard ${s.guardId} of ${s.model}@${s.version}: ${s.status} (baseline ${s.baselineVersion ?? 'none'}, action ${s.action})`,
    `  started ${s.startedAt}, bake ends ${s.bakeEndsAt}; ${s.checkCount} check${s.checkCount === 1 ? '' : 's'}, last data ${s.lastDataAt}`,
  ];
  const last = s.checks.at(-1);
  if (last !== undefined) {
    lines.push(`  check ${last.seq} at ${last.at}: ${last.outcome}${last.noData ? ' (no data)' : ''}`);
    for (const m of last.metrics) lines.push(`    ${m.metric} (${m.check}): ${m.outcome} — ${m.reason}`);
  }
  for (const a of s.alerts)
    lines.push(
      `  alert ${a.seq} ${a.kind} at ${a.at}: ${a.message}${a.acknowledgedBy ? ` (acknowledged by ${a.acknowledgedBy})` : ''}`,
    );
  if (s.rollbackWorkflowId) lines.push(`  rollback: ${s.rollbackWorkflowId}`);
  if (s.rollbackError) lines.push(`  rollback refused: ${s.rollbackError}`);
  if (s.retrainExperimentId) lines.push(`  retraining experiment: ${s.retrainExperimentId}`);
  return lines.join('\n');
}
