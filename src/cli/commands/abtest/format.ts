import type { AbTestVerdict } from '../../../domain/ab-test';
import { formatAnalysis } from '../analyze';

/** Human text of an A/B verdict: decision and reason, then the statistics module's analysis. */
export function formatVerdict(v: AbTestVerdict): string {
  // The analysis block starts with the statistics module's decision; the verdict's may differ (minimum sample size).
  const analysis = formatAnalysis(v.analysis)
    .split('\n')
    .filter((l) => !l.startsWith('decision:'));
  return [`decision: ${v.decision}${v.winner ? ` (winner ${v.winner})` : ''} — ${v.reason}`, ...analysis].join('\n');
}
