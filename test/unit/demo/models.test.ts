import {
  DIGITS_V1,
  DIGITS_V2,
  type DigitRow,
  type EpochMetrics,
  type Evaluation,
  type TrainedModel,
  evaluate,
  isCorrect,
  predict,
  trainModel,
} from '../../../src/demo';
import { loadDemoDigits } from '../../helpers/digits';

let train: DigitRow[];
let test: DigitRow[];
let v1: TrainedModel;
let v2: TrainedModel;
let v1Epochs: EpochMetrics[];
let heldOut: { v1: Evaluation; v2: Evaluation };

beforeAll(async () => {
  ({ train, test } = await loadDemoDigits());
  v1Epochs = [];
  v1 = await trainModel(DIGITS_V1, train, { onEpoch: (m) => void v1Epochs.push(m) });
  v2 = await trainModel(DIGITS_V2, train);
  heldOut = { v1: evaluate(v1, test), v2: evaluate(v2, test) };
});

describe('trainModel', () => {
  it('reports loss, accuracy and validation metrics after every epoch, in order', () => {
    expect(v1Epochs.map((m) => m.epoch)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(v1Epochs).toEqual(v1.history);
    for (const m of v1Epochs) {
      expect(Object.keys(m).sort()).toEqual(['accuracy', 'epoch', 'loss', 'valAccuracy', 'valLoss']);
      expect(m.accuracy).toBeGreaterThanOrEqual(0);
      expect(m.accuracy).toBeLessThanOrEqual(1);
    }
    const first = v1Epochs[0];
    const last = v1Epochs[29];
    expect(last?.loss).toBeLessThan(first?.loss ?? 0);
    expect(last?.valAccuracy).toBeGreaterThan(first?.valAccuracy ?? 1);
  });

  it('gives the same model for the same spec and rows', async () => {
    const again = await trainModel(DIGITS_V1, train);
    expect(again.history).toEqual(v1.history);
    expect(evaluate(again, test)).toEqual(heldOut.v1);
    expect(again.network.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      v1.network.getWeights().map((w) => Array.from(w.dataSync())),
    );
  });

  it('gives a different model for a different seed', async () => {
    const other = await trainModel({ ...DIGITS_V1, seed: 7, epochs: 2 }, train);
    const same = await trainModel({ ...DIGITS_V1, epochs: 2 }, train);
    expect(other.history).not.toEqual(same.history);
  });

  it('omits validation metrics when no validation slice is held back', async () => {
    const m = await trainModel({ ...DIGITS_V1, epochs: 1, validationFraction: 0 }, train);
    expect(Object.keys(m.history[0] ?? {}).sort()).toEqual(['accuracy', 'epoch', 'loss']);
  });

  it('refuses a bad spec naming the field, and no rows', async () => {
    await expect(trainModel({ ...DIGITS_V1, epochs: 0 }, train)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^invalid model spec: epochs: /),
    });
    await expect(trainModel({ ...DIGITS_V1, features: 'pixels-16x16' as never }, train)).rejects.toThrow(
      /^invalid model spec: features: .*"pixels-8x8"/,
    );
    await expect(trainModel(DIGITS_V1, [])).rejects.toThrow(/^invalid training rows: /);
  });
});

describe('evaluate', () => {
  it('scores v1 (16 block features, L2 0.003) and v2 (64 pixels) on the 539 held-out digits', () => {
    expect(heldOut.v1).toMatchObject({ n: 539, correct: 443 });
    expect(heldOut.v2).toMatchObject({ n: 539, correct: 515 });
    expect(heldOut.v1.accuracy).toBe(443 / 539);
    expect(heldOut.v2.accuracy).toBe(515 / 539);
    expect(heldOut.v1.logLoss).toBeCloseTo(1.109, 3);
    expect(heldOut.v2.logLoss).toBeCloseTo(0.165, 3);
  });

  it('has v2 beat v1 by at least 6 accuracy points, enough for a 50/50 A/B replay to be significant', () => {
    expect(heldOut.v2.accuracy - heldOut.v1.accuracy).toBeGreaterThanOrEqual(0.06);
    expect(heldOut.v2.logLoss).toBeLessThan(heldOut.v1.logLoss);
  });

  it('gives per-class accuracies that add up to the overall accuracy', () => {
    const counts = new Array<number>(10).fill(0);
    for (const r of test) counts[r.label] = (counts[r.label] ?? 0) + 1;
    const correct = heldOut.v2.perClassAccuracy.reduce<number>(
      (sum, a, label) => sum + (a ?? 0) * (counts[label] ?? 0),
      0,
    );
    expect(correct).toBeCloseTo(515, 9);
    expect(heldOut.v2.perClassAccuracy).toHaveLength(10);
  });

  it('reports null accuracy for a class absent from the rows, and refuses no rows', () => {
    const zeros = test.filter((r) => r.label === 0);
    const e = evaluate(v2, zeros);
    expect(e.perClassAccuracy.slice(1)).toEqual(new Array(9).fill(null));
    expect(e.perClassAccuracy[0]).toBe(e.accuracy);
    expect(() => evaluate(v2, [])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('predict and isCorrect', () => {
  it('predict gives one label 0..9 per row, agreeing with evaluate', () => {
    const labels = predict(v1, test);
    expect(labels).toHaveLength(539);
    expect(labels.every((l) => Number.isInteger(l) && l >= 0 && l <= 9)).toBe(true);
    expect(labels.filter((l, i) => l === test[i]?.label)).toHaveLength(443);
    expect(predict(v1, [])).toEqual([]);
  });

  it('isCorrect is the per-row outcome of the held-out replay', () => {
    expect(test.filter((r) => isCorrect(v1, r))).toHaveLength(443);
    expect(test.filter((r) => isCorrect(v2, r))).toHaveLength(515);
  });
});
