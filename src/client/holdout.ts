import { parseInput } from '../domain/errors';
import { BASIS_POINTS } from '../domain/traffic-split';
import { createAssigner } from '../stats/assignment';
import { z } from 'zod';

const Holdout = z.object({
  holdoutBasisPoints: z
    .number()
    .int('must be an integer number of basis points')
    .min(1, 'must be in [1, 5000] basis points')
    .max(BASIS_POINTS / 2, 'must be in [1, 5000] basis points'),
});

/**
 * The router of a guard's holdout on the serving side: a unit goes to `baseline` when its hash bucket (the A/B
 * tests' assignment, salted with `salt`, for example the guard's workflow id) is below `holdoutBasisPoints`, else to
 * `candidate`. The same unit gets the same side in every process.
 * @param holdoutBasisPoints the holdout's share of traffic, integer basis points in [1, 5000].
 * @throws ModelctlError INVALID_INPUT for an empty salt or a share outside the range.
 */
export function holdoutRouter(salt: string, holdoutBasisPoints: number): (unitId: string) => 'baseline' | 'candidate' {
  const share = parseInput(Holdout, { holdoutBasisPoints }, 'holdout').holdoutBasisPoints;
  const assign = createAssigner(salt, { control: share, treatment: BASIS_POINTS - share });
  return (unitId) => (assign(unitId).arm === 'control' ? 'baseline' : 'candidate');
}
