/** The start body of a sequential A/B test on a binary metric `click` lasting an hour, as the API takes it. */
export function sequentialClickTest(id: string, model: string, control: string, treatment: string) {
  return { id, model, control, treatment, duration: '1h', metric: { name: 'click', kind: 'binary' }, sequential: true };
}
