import { z } from 'zod';

/** Basis points in a whole: a traffic split's weights sum to exactly this. */
export const BASIS_POINTS = 10_000;

/**
 * A traffic split between the two arms of an A/B test, in integer basis points summing to exactly 10,000,
 * e.g. `{ control: 5000, treatment: 5000 }` or `{ control: 9000, treatment: 1000 }`.
 */
export const TrafficSplit = z
  .object({
    control: z
      .number()
      .int('must be an integer number of basis points')
      .min(0, 'must not be negative')
      .max(BASIS_POINTS),
    treatment: z
      .number()
      .int('must be an integer number of basis points')
      .min(0, 'must not be negative')
      .max(BASIS_POINTS),
  })
  .strict()
  .refine((s) => s.control + s.treatment === BASIS_POINTS, {
    message: `weights must sum to exactly ${BASIS_POINTS} basis points`,
  });
export type TrafficSplit = z.infer<typeof TrafficSplit>;

/** The two arms of an A/B test. */
export const Arm = { CONTROL: 'control', TREATMENT: 'treatment' } as const;
export type Arm = (typeof Arm)[keyof typeof Arm];

/**
 * Weights of any number of arms in integer basis points summing to exactly 10,000, e.g.
 * `{ control: 3400, a: 3300, b: 3300 }`. A {@link TrafficSplit} is the two-arm case.
 */
export const ArmWeights = z
  .record(
    z.string().min(1, 'arm names must not be empty'),
    z.number().int('must be an integer number of basis points').min(0, 'must not be negative').max(BASIS_POINTS),
  )
  .refine((w) => Object.keys(w).length >= 2, { message: 'must name at least two arms' })
  .refine((w) => Object.values(w).reduce((a, b) => a + b, 0) === BASIS_POINTS, {
    message: `weights must sum to exactly ${BASIS_POINTS} basis points`,
  });
export type ArmWeights = z.infer<typeof ArmWeights>;
