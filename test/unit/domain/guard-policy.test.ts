import { GuardPolicy } from '../../../src/domain/guard-policy';
import { parseInput } from '../../../src/domain/errors';

const relative = { metric: 'error', check: 'relative', direction: 'lower_is_better' };
const message = (policy: unknown) => {
  try {
    parseInput(GuardPolicy, policy, 'guard policy');
  } catch (err) {
    return (err as Error).message;
  }
  return null;
};

describe('guard policy', () => {
  test('the smallest policy gets every default, durations in ms', () => {
    expect(GuardPolicy.parse({ metrics: [relative] })).toEqual({
      metrics: [{ ...relative, tolerance: 0 }],
      baseline: { kind: 'holdout' },
      alpha: 0.05,
      sequentialTuning: 5000,
      checkInterval: 300_000,
      bakeTime: 3_600_000,
      noDataPeriod: 1_800_000,
      minSamples: 100,
      errorBudget: 3,
      action: 'rollback',
      webhooks: [],
    });
  });

  test('the documented example parses', () => {
    const example = {
      metrics: [
        { metric: 'error', check: 'relative', direction: 'lower_is_better', tolerance: 0.1 },
        { metric: 'latency_ms', check: 'slo', statistic: 'p99', max: 300, minSamples: 500 },
      ],
      baseline: { kind: 'reference', version: '1.0.0', window: '24h' },
      checkInterval: '5m',
      bakeTime: '6h',
      noDataPeriod: '30m',
      action: 'rollback',
      webhooks: [{ url: 'https://hooks.example.com/modelctl', secret: 'whsec_0123456789abcdef' }],
    };
    expect(GuardPolicy.parse(example).baseline).toEqual({ kind: 'reference', version: '1.0.0', window: 86_400_000 });
  });

  test.each([
    [{ metrics: [] }, 'metrics: must hold at least one metric'],
    [
      { metrics: [{ ...relative, direction: 'up' }] },
      'metrics.0.direction: must be one of lower_is_better, higher_is_better',
    ],
    [{ metrics: [{ ...relative, tolerance: 2 }] }, 'metrics.0.tolerance: must be in [0, 1]'],
    [
      { metrics: [{ metric: 'error', check: 'slo' }] },
      'metrics.0.max: give exactly one of max (statistic must stay at or below) or min (at or above)',
    ],
    [
      { metrics: [{ metric: 'lat', check: 'slo', statistic: 'p42', max: 1 }] },
      'metrics.0.statistic: must be one of mean, p50, p90, p95, p99, p999',
    ],
    [{ metrics: [{ metric: 'e', check: 'threshold' }] }, 'metrics.0.check: must be one of relative, slo'],
    [{ metrics: [relative, relative] }, 'metrics.1.metric: error has two relative checks'],
    [{ metrics: [relative], alpha: 0 }, 'alpha: must be in [0.001, 0.2]'],
    [{ metrics: [relative], checkInterval: '5s' }, 'checkInterval: must be at least 10s'],
    [{ metrics: [relative], checkInterval: '2d', bakeTime: '3d' }, 'checkInterval: must be at most 1d'],
    [{ metrics: [relative], bakeTime: '91d' }, 'bakeTime: must be at most 90d'],
    [{ metrics: [relative], checkInterval: '1h', bakeTime: '30m' }, 'bakeTime: must be at least checkInterval'],
    [
      { metrics: [relative], noDataPeriod: 'soon' },
      `noDataPeriod: invalid duration "soon"; use milliseconds or e.g. '20s', '12h', '7d'`,
    ],
    [{ metrics: [relative], minSamples: 0 }, 'minSamples: must be at least 1'],
    [{ metrics: [relative], errorBudget: 101 }, 'errorBudget: must be in [1, 100]'],
    [{ metrics: [relative], action: 'page' }, 'action: must be one of rollback, notify, retrain'],
    [{ metrics: [relative], baseline: { kind: 'canary' } }, 'baseline.kind: must be one of holdout, reference'],
    [
      { metrics: [relative], webhooks: [{ url: 'ftp://x', secret: 'whsec_0123456789abcdef' }] },
      'webhooks.0.url: must be an http(s) URL',
    ],
    [
      { metrics: [relative], webhooks: [{ url: 'https://x.example', secret: 'short' }] },
      'webhooks.0.secret: must be at least 16 characters',
    ],
    [{ metrics: [relative], extra: 1 }, /^invalid guard policy: \(root\): Unrecognized key: "extra"$/],
  ])('%j is refused: %s', (policy, expected) => {
    const got = message(policy);
    if (expected instanceof RegExp) expect(got).toMatch(expected);
    else expect(got).toBe(`invalid guard policy: ${expected}`);
  });
});
