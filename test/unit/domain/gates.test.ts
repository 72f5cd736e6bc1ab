import { evaluateGates, PromotionGates } from '../../../src/domain/gates';

describe('promotion gates', () => {
  test('a not-worse gate on a lower-is-better metric passes when the candidate is lower or within tolerance, fails when higher', () => {
    const gates = PromotionGates.parse({
      notWorseThanProduction: ['loss', 'accuracy'],
      lowerIsBetter: ['loss'],
      tolerance: 0.01,
    });
    const production = { version: '1.0.0', metrics: { loss: 0.3, accuracy: 0.9 } };
    expect(evaluateGates(gates, { loss: 0.305, accuracy: 0.895 }, production).map((r) => r.passed)).toEqual([
      true,
      true,
    ]);
    expect(evaluateGates(gates, { loss: 0.32, accuracy: 0.95 }, production).map((r) => r.passed)).toEqual([
      false,
      true,
    ]);
    expect(evaluateGates(gates, { loss: 0.2, accuracy: 0.88 }, production).map((r) => r.passed)).toEqual([true, false]);
  });

  test('lowerIsBetter naming a metric that no not-worse gate compares is refused, naming the metrics', () => {
    const r = PromotionGates.safeParse({ notWorseThanProduction: ['accuracy'], lowerIsBetter: ['logLoss', 'latency'] });
    expect(r.success).toBe(false);
    expect(r.error!.issues).toEqual([
      expect.objectContaining({
        path: ['lowerIsBetter'],
        message:
          'logLoss, latency are not in notWorseThanProduction; lowerIsBetter only says which way a not-worse gate compares (modelctl promote --not-worse <metric> --lower-is-better <metric>)',
      }),
    ]);
  });
});
