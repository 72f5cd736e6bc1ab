import { BACKENDS, openTestStore, seedVersions } from '../../helpers/store';
import { expectModelctlError } from '../../helpers/errors';

describe.each(BACKENDS)('evaluation samples on %s', (backend) => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  beforeEach(async () => {
    t = await openTestStore(backend);
    await seedVersions(t.store, 'digits', ['a', 'b']);
  });
  afterEach(async () => {
    await t.dispose();
  });

  // Unit ids in an order where code points and a locale collation disagree (capitals, accents).
  const samples = [
    { unit: 'b', metric: 'correct', value: 1 },
    { unit: 'B', metric: 'correct', value: 0 },
    { unit: 'é', metric: 'correct', value: 1 },
    { unit: 'a', metric: 'correct', value: 1 },
    { unit: 'a', metric: 'loss', value: 0.25 },
    { unit: 'b', metric: 'loss', value: 1.5 },
  ];

  test('samples come back per set and metric, units in code-point order, with their summary', async () => {
    const { store } = t;
    expect(await store.attachEvaluation({ model: 'digits', version: '1.0.0', evalSet: 'heldout', samples })).toEqual({
      evalSet: 'heldout',
      samples: 6,
      metrics: ['correct', 'loss'],
    });
    expect(await store.evaluationSeries('digits', '1.0.0')).toEqual([
      { evalSet: 'heldout', metric: 'correct', units: ['B', 'a', 'b', 'é'], values: [0, 1, 1, 1] },
      { evalSet: 'heldout', metric: 'loss', units: ['a', 'b'], values: [0.25, 1.5] },
    ]);
    expect(await store.evaluationSummaries('digits', '1.0.0')).toEqual([
      { evalSet: 'heldout', metric: 'correct', units: 4, mean: 0.75, sd: 0.5 },
      { evalSet: 'heldout', metric: 'loss', units: 2, mean: 0.875, sd: Math.sqrt(0.78125) },
    ]);
    expect(await store.evaluationSeries('digits', '1.0.1')).toEqual([]);
  });

  test('attaching a set again replaces it whole; other sets stay', async () => {
    const { store } = t;
    await store.attachEvaluation({ model: 'digits', version: '1.0.0', evalSet: 'heldout', samples });
    await store.attachEvaluation({ model: 'digits', version: '1.0.0', evalSet: 'seeds', samples: samples.slice(0, 1) });
    await store.attachEvaluation({
      model: 'digits',
      version: '1.0.0',
      evalSet: 'heldout',
      samples: [{ unit: 'z', metric: 'correct', value: 0 }],
    });
    expect(await store.evaluationSeries('digits', '1.0.0')).toEqual([
      { evalSet: 'heldout', metric: 'correct', units: ['z'], values: [0] },
      { evalSet: 'seeds', metric: 'correct', units: ['b'], values: [1] },
    ]);
  });

  test('2,500 samples go in several statements and all come back', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => ({ unit: `u${i}`, metric: 'return', value: i / 10 }));
    await t.store.attachEvaluation({ model: 'digits', version: '1.0.1', samples: many });
    const [series] = await t.store.evaluationSeries('digits', '1.0.1');
    expect(series!.evalSet).toBe('default');
    expect(series!.values.reduce((s, v) => s + v, 0)).toBeCloseTo(312375, 6);
  });

  test('bad input is refused whole, naming the field; an unknown version is NOT_FOUND; nothing is stored', async () => {
    const { store } = t;
    await expectModelctlError(
      store.attachEvaluation({ model: 'digits', version: '1.0.0', samples: [...samples, samples[0]!] }),
      'INVALID_INPUT',
      'invalid attachEvaluation input: samples.6.unit: unit "b" already has a value of "correct" at index 0',
    );
    await expectModelctlError(
      store.attachEvaluation({
        model: 'digits',
        version: '1.0.0',
        evalSet: 'held out',
        samples,
      }),
      'INVALID_INPUT',
      'evalSet: must hold only letters, digits, ".", "_" and "-"',
    );
    await expectModelctlError(
      store.attachEvaluation({ model: 'digits', version: '1.0.0', samples: [{ unit: 'x', metric: 'm', value: NaN }] }),
      'INVALID_INPUT',
      'samples.0.value',
    );
    await expectModelctlError(
      store.attachEvaluation({ model: 'digits', version: '9.9.9', samples }),
      'NOT_FOUND',
      'model version digits@9.9.9 does not exist',
    );
    expect(await store.evaluationSeries('digits', '1.0.0')).toEqual([]);
  });
});
