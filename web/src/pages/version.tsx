import { api, unwrap } from '../api/client';
import { Link } from '../components/link';
import { Status } from '../components/status';
import { useLoad } from '../components/use-load';
import { formatCount, formatTime } from '../format';
import { KeyValues } from '../components/key-values';

/** One version: metrics, config, artifact (sha256, size, download), Git, the experiment that produced it, its events. */
export function VersionPage(props: { model: string; version: string }) {
  const { model, version } = props;
  const found = useLoad(
    async () =>
      unwrap(await api.GET('/api/v1/models/{model}/versions/{version}', { params: { path: { model, version } } })),
    [model, version],
  );
  const events = useLoad(
    async () =>
      unwrap(await api.GET('/api/v1/models/{model}/events', { params: { path: { model }, query: { limit: 1000 } } })),
    [model],
  );
  const artifactHref = `/api/v1/models/${encodeURIComponent(model)}/versions/${version}/artifact`;
  return (
    <main id="main">
      <h1>
        <Link href={`/models/${encodeURIComponent(model)}`}>{model}</Link>@{version}
      </h1>
      <Status of={found}>
        {(v) => (
          <>
            <p>
              Status:{' '}
              <strong class={`status-${v.status}`} data-field="status">
                {v.status}
              </strong>
              ; author {v.author}; created {formatTime(v.createdAt)}
              {v.parentVersion !== null && <>; parent {v.parentVersion}</>}
            </p>
            {v.description !== null && <p>{v.description}</p>}
            <section aria-labelledby="metrics-h">
              <h2 id="metrics-h">Metrics</h2>
              <KeyValues label="metrics" values={v.metrics} field="metric" />
            </section>
            <section aria-labelledby="artifact-h">
              <h2 id="artifact-h">Artifact</h2>
              <p>
                sha256 <code data-field="sha256">{v.artifact.sha256}</code>,{' '}
                <span data-field="size">{formatCount(v.artifact.sizeBytes)}</span> bytes, {v.artifact.mediaType} —{' '}
                <a href={artifactHref} download>
                  download
                </a>
              </p>
            </section>
            <section aria-labelledby="git-h">
              <h2 id="git-h">Git</h2>
              {v.git === null ? (
                <p>{v.gitReason ?? 'No Git state captured.'}</p>
              ) : (
                <p>
                  commit <code>{v.git.commit}</code>, branch {v.git.branch ?? '(detached)'},{' '}
                  {v.git.dirty ? 'dirty' : 'clean'}
                </p>
              )}
            </section>
            <section aria-labelledby="experiment-h">
              <h2 id="experiment-h">Experiment</h2>
              {v.experimentId === null ? (
                <p>None recorded.</p>
              ) : (
                <Link href={`/experiments/${encodeURIComponent(v.experimentId)}`}>{v.experimentId}</Link>
              )}
            </section>
            <section aria-labelledby="config-h">
              <h2 id="config-h">Config</h2>
              <pre>{JSON.stringify(v.config, null, 2)}</pre>
            </section>
          </>
        )}
      </Status>
      <section aria-labelledby="events-h">
        <h2 id="events-h">Events</h2>
        <Status of={events}>
          {(page) => (
            <ul>
              {page.items
                .filter((e) => e.version === version)
                .map((e) => (
                  <li key={e.id}>
                    {formatTime(e.at)}: {e.fromStatus ?? 'registered'} → {e.toStatus} ({e.via}) by {e.actor}
                    {e.reason !== null && `: ${e.reason}`}
                  </li>
                ))}
            </ul>
          )}
        </Status>
      </section>
    </main>
  );
}
