import { ErrorCode, ModelctlError } from '../domain/errors';
import { CLASS_COUNT, type DigitRow } from './digits';
import { argmax, predictProbabilities } from './predict';
import type { TrainedModel } from './trained-model';

/** Held-out quality of a model. */
export interface Evaluation {
  /** Rows evaluated. */
  n: number;
  /** Number of rows classified correctly. */
  correct: number;
  /** correct / n, 0..1. */
  accuracy: number;
  /** Mean negative log-likelihood of the true class (natural log), probabilities clipped to [1e-7, 1]. */
  logLoss: number;
  /** Accuracy per true label 0..9; null for a label absent from the rows. */
  perClassAccuracy: (number | null)[];
}

/** Probability floor of the log-loss, as in Keras' epsilon, so one confident mistake cannot make it infinite. */
const EPSILON = 1e-7;

/**
 * Evaluates a model on labelled rows (normally the held-out test split).
 * @returns accuracy, log-loss (cross-entropy, nats per row) and per-class accuracy; see {@link Evaluation}.
 * @throws ModelctlError INVALID_INPUT when `rows` is empty.
 * @see log-loss as defined by scikit-learn's `sklearn.metrics.log_loss` (mean −ln p(true class)).
 */
export function evaluate(model: TrainedModel, rows: readonly DigitRow[]): Evaluation {
  if (rows.length === 0) throw new ModelctlError(ErrorCode.INVALID_INPUT, 'cannot evaluate a model on no rows');
  const probabilities = predictProbabilities(model, rows);
  const seen = new Array<number>(CLASS_COUNT).fill(0);
  const hits = new Array<number>(CLASS_COUNT).fill(0);
  let correct = 0;
  let nll = 0;
  rows.forEach((row, i) => {
    const p = probabilities[i] ?? [];
    const hit = argmax(p) === row.label;
    seen[row.label] = (seen[row.label] ?? 0) + 1;
    if (hit) {
      correct++;
      hits[row.label] = (hits[row.label] ?? 0) + 1;
    }
    nll -= Math.log(Math.min(1, Math.max(EPSILON, p[row.label] ?? 0)));
  });
  return {
    n: rows.length,
    correct,
    accuracy: correct / rows.length,
    logLoss: nll / rows.length,
    perClassAccuracy: seen.map((s, label) => (s === 0 ? null : (hits[label] ?? 0) / s)),
  };
}
