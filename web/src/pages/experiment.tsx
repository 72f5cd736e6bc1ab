import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { Link } from '../components/link';
import { SeriesChart, type StepWindow } from '../components/series-chart';
import { Status } from '../components/status';
import { useLoad } from '../components/use-load';
import { formatTime } from '../format';
import { KeyValues } from '../components/key-values';

/**
 * Points per chart: one per horizontal pixel of the window (the chart is narrower), the server downsamples to it.
 * The window's width is known without laying the page out; the content box's width is not, and reading it before
 * the first request forced a layout of the page on the way to the data.
 */
function chartPoints(): number {
  return Math.min(Math.max(Math.round(innerWidth), 100), 4000);
}

/** One metric's chart, with its own zoom window re-fetched from the server. */
function MetricChart(props: { id: string; metric: string; overview: { step: number; value: number }[] }) {
  const [zoom, setZoom] = useState<StepWindow>(null);
  const zoomed = useLoad(async () => {
    if (zoom === null) return props.overview;
    const answer = unwrap(
      await api.GET('/api/v1/experiments/{id}', {
        params: {
          path: { id: props.id },
          query: { maxPoints: chartPoints(), stepFrom: zoom.from, stepTo: zoom.to },
        },
      }),
    );
    return answer.series[props.metric] ?? [];
  }, [zoom, props.overview]);
  return <SeriesChart metric={props.metric} points={zoomed.data ?? props.overview} window={zoom} onZoom={setZoom} />;
}

/** An experiment: its metric charts (server-downsampled, zoom re-fetches), summary, config, tags, linked versions. */
export function ExperimentPage(props: { id: string }) {
  const results = useLoad(
    async () =>
      unwrap(
        await api.GET('/api/v1/experiments/{id}', {
          params: { path: { id: props.id }, query: { maxPoints: chartPoints() } },
        }),
      ),
    [props.id],
  );
  return (
    <main id="main">
      <Status of={results}>
        {({ experiment, series }) => (
          <>
            <h1>
              {experiment.name} <small>({experiment.id})</small>
            </h1>
            <p>
              {experiment.type}, <span data-field="status">{experiment.status}</span>, started{' '}
              {formatTime(experiment.startedAt)}
              {experiment.endedAt !== null && `, ended ${formatTime(experiment.endedAt)}`}
              {experiment.tags.length > 0 && `; tags ${experiment.tags.join(', ')}`}
            </p>
            <section aria-labelledby="charts-h">
              <h2 id="charts-h">Metrics</h2>
              {Object.keys(series).length === 0 && <p>No metric logged.</p>}
              {Object.entries(series).map(([key, points]) => (
                <MetricChart key={key} id={experiment.id} metric={key} overview={points} />
              ))}
            </section>
            <section aria-labelledby="summary-h">
              <h2 id="summary-h">Summary</h2>
              <KeyValues label="summary" values={experiment.summary} field="summary" />
            </section>
            <section aria-labelledby="linked-h">
              <h2 id="linked-h">Linked versions</h2>
              <ul>
                {experiment.linkedVersions.map((v) => (
                  <li key={`${v.model}@${v.version}`}>
                    <Link href={`/models/${encodeURIComponent(v.model)}/versions/${v.version}`}>
                      {v.model}@{v.version}
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
            <section aria-labelledby="config-h">
              <h2 id="config-h">Config</h2>
              <pre>{JSON.stringify(experiment.config, null, 2)}</pre>
            </section>
          </>
        )}
      </Status>
    </main>
  );
}
