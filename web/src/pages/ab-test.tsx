import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { ActionDialog } from '../components/action-dialog';
import { Link } from '../components/link';
import { Status } from '../components/status';
import { useLoad } from '../components/use-load';
import { TimeChart } from '../components/time-chart';
import { formatNumber, formatTime } from '../format';
import { useCan } from '../session';

/** The fields of an A/B verdict (interim analysis, or the stored result's analysis) the page shows. */
interface Verdict {
  decision: string;
  reason: string;
  pValue: number | null;
  units: { control: number; treatment: number };
  analysis: {
    srm?: { chi2: number | null; pValue: number | null; mismatch: boolean };
    absolute?: { estimate: number | null; ciLow: number | null; ciHigh: number | null } | null;
    sequentialPValue?: number | null;
  };
}

/** The verdict in a run's answer: the interim analysis while it runs, the result's analysis once it ended. */
function verdictOf(run: {
  interim: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
}): Verdict | null {
  const v = (run.interim ??
    (run.result?.analysis as Record<string, unknown> | null | undefined) ??
    null) as Verdict | null;
  return v !== null && typeof v === 'object' && 'units' in v ? v : null;
}

/** An A/B test: arms, split, units per arm, the analysis with its interval, an SRM banner, the decision; stop/abort. */
export function AbTestPage(props: { id: string }) {
  const { id } = props;
  const can = useCan('admin');
  const [reason, setReason] = useState('');
  const [generation, setGeneration] = useState(0);
  const record = useLoad(async () => {
    const page = unwrap(await api.GET('/api/v1/ab-tests', { params: { query: { limit: 1000 } } }));
    const found = page.items.find((t) => t.id === id);
    if (found === undefined) throw new Error(`A/B test ${id} does not exist`);
    return found;
  }, [id, generation]);
  const run = useLoad(
    async () => unwrap(await api.GET('/api/v1/ab-tests/{id}', { params: { path: { id }, query: {} } })),
    [id, generation],
  );
  const timeline = useLoad(
    async () => unwrap(await api.GET('/api/v1/dashboard/ab-tests/{id}/timeline', { params: { path: { id } } })),
    [id, generation],
  );
  return (
    <main id="main">
      <h1>A/B test {id}</h1>
      <Status of={record}>
        {(t) => (
          <>
            <p>
              <Link href={`/models/${encodeURIComponent(t.model)}`}>{t.model}</Link>: control{' '}
              <strong data-field="control">{t.control}</strong> ({t.split.control / 100}%), treatment{' '}
              <strong data-field="treatment">{t.treatment}</strong> ({t.split.treatment / 100}%); status{' '}
              <strong data-field="status">{t.status}</strong>; started {formatTime(t.startedAt)}
              {t.endedAt !== null && `, ended ${formatTime(t.endedAt)}`}
            </p>
            {can && t.status === 'RUNNING' && (
              <section aria-labelledby="ab-actions-h">
                <h2 id="ab-actions-h">Actions</h2>
                <label>
                  Reason <input name="reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
                </label>{' '}
                {(['stop', 'abort'] as const).map((verb) => (
                  <ActionDialog
                    key={verb}
                    action={verb}
                    label={verb === 'stop' ? 'Stop with a decision…' : 'Abort…'}
                    danger={verb === 'abort'}
                    title={`${verb === 'stop' ? 'Stop' : 'Abort'} A/B test ${id}`}
                    change={
                      verb === 'stop'
                        ? `The test ends now and decides on the outcomes so far (sequential tests only); status becomes STOPPED.`
                        : `The test ends now without a winner; status becomes ABORTED and production of ${t.model} does not change.`
                    }
                    onConfirm={async () => {
                      const body = reason.trim() === '' ? {} : { reason: reason.trim() };
                      const path = verb === 'stop' ? '/api/v1/ab-tests/{id}/stop' : '/api/v1/ab-tests/{id}/abort';
                      unwrap(await api.POST(path, { params: { path: { id } }, body }));
                      // The update returns once the test has taken the request; it records its end a moment later.
                      unwrap(
                        await api.GET('/api/v1/ab-tests/{id}', {
                          params: { path: { id }, query: { wait: 'true', timeoutSeconds: 30 } },
                        }),
                      );
                      setGeneration((g) => g + 1);
                    }}
                  />
                ))}
              </section>
            )}
          </>
        )}
      </Status>
      <section aria-labelledby="analysis-h">
        <h2 id="analysis-h">Analysis</h2>
        <Status of={run}>
          {(r) => {
            const v = verdictOf(r);
            if (v === null) return <p>No analysis yet.</p>;
            return (
              <>
                {v.analysis.srm?.mismatch === true && (
                  <p class="banner" role="alert" data-field="srm">
                    Sample ratio mismatch: the arms' sizes do not match the split (χ² ={' '}
                    {formatNumber(v.analysis.srm.chi2)}, p = {formatNumber(v.analysis.srm.pValue)}); the result is not
                    trustworthy.
                  </p>
                )}
                <table aria-label="arms">
                  <tbody>
                    {(['control', 'treatment'] as const).map((arm) => (
                      <tr key={arm}>
                        <th scope="row">units, {arm}</th>
                        <td class="num" data-units={arm}>
                          {v.units[arm]}
                        </td>
                      </tr>
                    ))}
                    <tr>
                      <th scope="row">effect (absolute, 95% CI)</th>
                      <td class="num">
                        {formatNumber(v.analysis.absolute?.estimate)} [{formatNumber(v.analysis.absolute?.ciLow)},{' '}
                        {formatNumber(v.analysis.absolute?.ciHigh)}]
                      </td>
                    </tr>
                    <tr>
                      <th scope="row">p-value (always-valid)</th>
                      <td class="num">
                        {formatNumber(v.pValue)} ({formatNumber(v.analysis.sequentialPValue)})
                      </td>
                    </tr>
                  </tbody>
                </table>
                <p>
                  Decision: <strong data-field="decision">{v.decision}</strong> — {v.reason}
                </p>
              </>
            );
          }}
        </Status>
      </section>
      <section aria-labelledby="over-time-h">
        <h2 id="over-time-h">Over time</h2>
        <Status of={timeline}>
          {(tl) => {
            if (tl.points.length === 0) return <p>No outcomes yet.</p>;
            const times = tl.points.map((p) => p.at);
            const last = tl.points.at(-1)!;
            return (
              <>
                <TimeChart
                  id="units"
                  title="Units per arm"
                  yLabel="units"
                  times={times}
                  lines={[
                    { label: 'control', stroke: '#0550ae', values: tl.points.map((p) => p.units.control) },
                    { label: 'treatment', stroke: '#bc4c00', values: tl.points.map((p) => p.units.treatment) },
                  ]}
                />
                <TimeChart
                  id="effect"
                  title="Effect (treatment − control) with its 95% fixed-horizon CI"
                  yLabel="effect"
                  times={times}
                  lines={[
                    { label: 'effect', stroke: '#1a7f37', values: tl.points.map((p) => p.effect?.estimate ?? null) },
                    {
                      label: 'CI low',
                      stroke: '#8c959f',
                      dash: [4, 4],
                      values: tl.points.map((p) => p.effect?.ciLow ?? null),
                    },
                    {
                      label: 'CI high',
                      stroke: '#8c959f',
                      dash: [4, 4],
                      values: tl.points.map((p) => p.effect?.ciHigh ?? null),
                    },
                  ]}
                />
                <p
                  class="chart-note"
                  data-field="timeline-last"
                  data-control={last.units.control}
                  data-treatment={last.units.treatment}
                  data-estimate={last.effect?.estimate ?? ''}
                  data-ci-low={last.effect?.ciLow ?? ''}
                  data-ci-high={last.effect?.ciHigh ?? ''}
                >
                  {tl.points.length} points; latest {formatTime(last.at)}: {last.units.control} control,{' '}
                  {last.units.treatment} treatment units, effect {formatNumber(last.effect?.estimate)} [
                  {formatNumber(last.effect?.ciLow)}, {formatNumber(last.effect?.ciHigh)}]
                </p>
              </>
            );
          }}
        </Status>
      </section>
    </main>
  );
}
