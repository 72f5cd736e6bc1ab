import { fisherExact } from '../../../src/stats';
import { expectClose, reference } from './reference';

interface FisherCase {
  control: { units: number; conversions: number };
  treatment: { units: number; conversions: number };
  oddsRatio: number | null;
  pValue: number;
}

describe("Fisher's exact test against scipy.stats.fisher_exact", () => {
  test.each(
    (reference.fisher as FisherCase[]).map(
      (c) =>
        [`${c.treatment.conversions}/${c.treatment.units} vs ${c.control.conversions}/${c.control.units}`, c] as const,
    ),
  )('table %s', (_name, c) => {
    const r = fisherExact(c.control, c.treatment);
    expectClose(r.pValue, c.pValue, 1e-9);
    if (c.oddsRatio === null) expect(r.oddsRatio).toBeNull();
    else expectClose(r.oddsRatio, c.oddsRatio, 1e-12);
  });

  test('identical arms give p = 1', () => {
    expect(fisherExact({ units: 8, conversions: 4 }, { units: 8, conversions: 4 }).pValue).toBeCloseTo(1, 12);
  });
});
