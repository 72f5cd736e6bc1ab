import { useCallback, useMemo, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { Link } from '../components/link';
import { memo } from '../components/memo';
import { Status } from '../components/status';
import { TimelineChart } from '../components/timeline-chart';
import { useLoad, type Loaded } from '../components/use-load';
import { VersionsChart } from '../components/versions-chart';
import { ModelActions } from '../components/model-actions';
import { formatNumber, formatTime } from '../format';
import { Head, NextPage } from '../components/table-parts';
import { WorkflowLink, type TemporalUi } from '../components/workflow-link';

/** How many metric columns the versions table shows (the first keys in name order); the chart picks any. */
const KEY_METRIC_COLUMNS = 4;
const PAGE = 200;
/** Production stints the timeline draws: the most recent ones (a long history has thousands). */
const TIMELINE_STINTS = 50;

type Version = {
  version: string;
  parentVersion: string | null;
  status: string;
  metrics: Record<string, number>;
};

/** Parent → child lineage as a nested list; versions whose parent is not among them are roots. */
function Lineage(props: { versions: Version[] }) {
  const names = new Set(props.versions.map((v) => v.version));
  const children = new Map<string | null, Version[]>();
  for (const v of props.versions) {
    const parent = v.parentVersion !== null && names.has(v.parentVersion) ? v.parentVersion : null;
    children.set(parent, [...(children.get(parent) ?? []), v]);
  }
  const render = (parent: string | null, depth: number) => {
    const kids = children.get(parent) ?? [];
    if (kids.length === 0 || depth > 64) return null;
    return (
      <ul>
        {kids.map((v) => (
          <li key={v.version} data-lineage={v.version}>
            {v.version} <span class={`status-${v.status}`}>{v.status}</span>
            {render(v.version, depth + 1)}
          </li>
        ))}
      </ul>
    );
  };
  return render(null, 0);
}

/**
 * Rollback targets, most recent first: versions that served before and are DEPRECATED now (what a rollback may
 * bring back), the one that served just before the current production first.
 */
function previousProduction(stints: { version: string; to: string | null }[], versions: Version[]): string[] {
  const deprecated = new Set(versions.filter((v) => v.status === 'DEPRECATED').map((v) => v.version));
  const order = stints
    .filter((st) => st.to !== null)
    .map((st) => st.version)
    .reverse();
  return [...new Set(order)].filter((v) => deprecated.has(v));
}

const versionsPage = (model: string, cursor: string | undefined) =>
  api.GET('/api/v1/models/{model}/versions', { params: { path: { model }, query: { limit: PAGE, cursor } } });
const eventsPage = (model: string, cursor: string | undefined) =>
  api.GET('/api/v1/models/{model}/events', { params: { path: { model }, query: { limit: PAGE, cursor } } });
const guardsPage = (model: string) =>
  api.GET('/api/v1/models/{model}/guards', { params: { path: { model }, query: { limit: PAGE } } });
const timelineOf = (model: string) =>
  api.GET('/api/v1/dashboard/models/{model}/timeline', {
    params: { path: { model }, query: { limit: TIMELINE_STINTS } },
  });

type Data<F extends (...args: never[]) => Promise<{ data?: unknown }>> = NonNullable<Awaited<ReturnType<F>>['data']>;
type VersionsAnswer = Data<typeof versionsPage>;
type EventsAnswer = Data<typeof eventsPage>;
type GuardsAnswer = Data<typeof guardsPage>;
type TimelineAnswer = Data<typeof timelineOf>;
type Interval = { mean: number; units: number; low: number; high: number; level: number };

/** The production line: which version serves, since when, by whom. */
const ProductionLine = memo(function ProductionLine(props: { timeline: Loaded<TimelineAnswer> }) {
  return (
    <Status of={props.timeline}>
      {(t) => {
        const current = t.stints.find((s) => s.to === null);
        return (
          <p>
            Production: <strong data-field="production">{current?.version ?? 'none'}</strong>
            {current !== undefined && ` since ${formatTime(current.from)} by ${current.actor}`}
          </p>
        );
      }}
    </Status>
  );
});

/** The versions table with its next-page button, the metric across those versions and their lineage. */
const VersionsSection = memo(function VersionsSection(props: {
  model: string;
  versions: Loaded<VersionsAnswer>;
  metric: string | null;
  intervals: Map<string, Interval>;
  onMetric: (metric: string) => void;
  onNext: (cursor: string) => void;
}) {
  const { model, metric, intervals } = props;
  return (
    <section aria-labelledby="versions-h">
      <h2 id="versions-h">Versions</h2>
      <Status of={props.versions}>
        {(page) => {
          const keys = [...new Set(page.items.flatMap((v) => Object.keys(v.metrics)))].sort();
          const columns = keys.slice(0, KEY_METRIC_COLUMNS);
          return (
            <>
              <table aria-label="versions">
                <Head columns={['version', 'status', ...columns, 'author', 'commit', 'parent', 'created']} />
                <tbody>
                  {page.items.map((v) => (
                    <tr key={v.version} data-version={v.version}>
                      <th scope="row">
                        <Link href={`/models/${encodeURIComponent(model)}/versions/${v.version}`}>{v.version}</Link>
                      </th>
                      <td class={`status-${v.status}`} data-field="status">
                        {v.status}
                      </td>
                      {columns.map((k) => (
                        <td class="num" key={k} data-metric={k}>
                          {formatNumber(v.metrics[k])}
                        </td>
                      ))}
                      <td>{v.author}</td>
                      <td>
                        <code>{v.git?.commit.slice(0, 8) ?? '—'}</code>
                      </td>
                      <td>{v.parentVersion ?? '—'}</td>
                      <td>{formatTime(v.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <NextPage cursor={page.nextCursor} what={`${PAGE} versions`} onNext={props.onNext} />
              <section aria-labelledby="metric-h">
                <h2 id="metric-h">Metric across versions</h2>
                {keys.length === 0 ? (
                  <p>No version has metrics.</p>
                ) : (
                  <>
                    <label>
                      Metric{' '}
                      <select value={metric ?? keys[0]} onChange={(e) => props.onMetric(e.currentTarget.value)}>
                        {keys.map((k) => (
                          <option key={k} value={k}>
                            {k}
                          </option>
                        ))}
                      </select>
                    </label>
                    <VersionsChart
                      metric={metric ?? keys[0]!}
                      points={page.items.flatMap((v) => {
                        const value = v.metrics[metric ?? keys[0]!];
                        if (value === undefined) return [];
                        const evaluation = intervals.get(v.version);
                        return [{ version: v.version, value, ...(evaluation !== undefined ? { evaluation } : {}) }];
                      })}
                    />
                  </>
                )}
              </section>
              <section aria-labelledby="lineage-h">
                <h2 id="lineage-h">Lineage</h2>
                <Lineage versions={page.items} />
              </section>
            </>
          );
        }}
      </Status>
    </section>
  );
});

/** The production timeline: the latest stints as a lane chart. */
const TimelineSection = memo(function TimelineSection(props: { timeline: Loaded<TimelineAnswer> }) {
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">Production timeline</h2>
      <Status of={props.timeline}>
        {(t) => (
          <>
            {t.total > t.stints.length && (
              <p data-field="timeline-shown">
                The latest {t.stints.length} of {formatNumber(t.total)} stints.
              </p>
            )}
            <TimelineChart stints={t.stints} now={new Date().toISOString()} />
          </>
        )}
      </Status>
    </section>
  );
});

/** The guards that watched the model's promotions. */
const GuardsSection = memo(function GuardsSection(props: { guards: Loaded<GuardsAnswer>; ui: TemporalUi }) {
  const { ui } = props;
  return (
    <section aria-labelledby="guards-h">
      <h2 id="guards-h">Guards</h2>
      <Status of={props.guards}>
        {(page) =>
          page.items.length === 0 ? (
            <p>No guard has watched this model.</p>
          ) : (
            <table aria-label="guards">
              <Head columns={['version', 'status', 'actor', 'started', 'ended', 'workflow']} />
              <tbody>
                {page.items.map((g) => (
                  <tr key={g.id} data-guard={g.id}>
                    <td>{g.version}</td>
                    <td data-field="status">{g.status}</td>
                    <td>{g.actor}</td>
                    <td>{formatTime(g.startedAt)}</td>
                    <td>{g.endedAt === null ? '—' : formatTime(g.endedAt)}</td>
                    <td data-field="workflow">
                      <WorkflowLink ui={ui} workflowId={g.workflowId} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Status>
    </section>
  );
});

/** The audit log, one page of events, with a filter over the page's rows. */
const AuditSection = memo(function AuditSection(props: {
  events: Loaded<EventsAnswer>;
  ui: TemporalUi;
  onNext: (cursor: string) => void;
}) {
  const { ui } = props;
  const [eventFilter, setEventFilter] = useState('');
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      <label class="search">
        Filter <input type="search" value={eventFilter} onInput={(e) => setEventFilter(e.currentTarget.value)} />
      </label>
      <Status of={props.events}>
        {(page) => {
          const needle = eventFilter.trim().toLowerCase();
          const shown = page.items.filter(
            (e) =>
              needle === '' ||
              [e.version, e.toStatus, e.fromStatus ?? '', e.via, e.actor, e.reason ?? '', e.workflowId ?? '']
                .join(' ')
                .toLowerCase()
                .includes(needle),
          );
          return (
            <>
              <table aria-label="audit log">
                <Head columns={['at', 'version', 'from', 'to', 'via', 'actor', 'reason', 'workflow']} />
                <tbody>
                  {shown.map((e) => (
                    <tr key={e.id} data-event={e.id}>
                      <td>{formatTime(e.at)}</td>
                      <td>{e.version}</td>
                      <td>{e.fromStatus ?? '—'}</td>
                      <td>{e.toStatus}</td>
                      <td>{e.via}</td>
                      <td data-field="actor">{e.actor}</td>
                      <td>{e.reason ?? ''}</td>
                      <td data-field="workflow">
                        <WorkflowLink ui={ui} workflowId={e.workflowId ?? null} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <NextPage cursor={page.nextCursor} what={`${PAGE} events`} onNext={props.onNext} />
            </>
          );
        }}
      </Status>
    </section>
  );
});

const Actions = memo(ModelActions);

/**
 * A model: versions table, production timeline, lineage, a metric across versions, the audit log, actions. Its
 * requests start together and each section renders when its own answer arrives (sections are memoised: a page of
 * 200 versions and 200 events re-rendered on each of six answers cost more than the answers themselves).
 */
export function ModelPage(props: { model: string }) {
  const model = props.model;
  const [versionsCursor, setVersionsCursor] = useState<string | undefined>(undefined);
  const [eventsCursor, setEventsCursor] = useState<string | undefined>(undefined);
  const [metric, setMetric] = useState<string | null>(null);
  const versions = useLoad(async () => unwrap(await versionsPage(model, versionsCursor)), [model, versionsCursor]);
  const timeline = useLoad(async () => unwrap(await timelineOf(model)), [model]);
  const events = useLoad(async () => unwrap(await eventsPage(model, eventsCursor)), [model, eventsCursor]);
  const guards = useLoad(async () => unwrap(await guardsPage(model)), [model]);
  const firstKey = useMemo(
    () =>
      versions.data === null
        ? undefined
        : [...new Set(versions.data.items.flatMap((v) => Object.keys(v.metrics)))].sort()[0],
    [versions.data],
  );
  const metricKey = metric ?? firstKey ?? null;
  const settled = (l: Loaded<unknown>) => l.data !== null || l.error !== null;
  const firstScreen = settled(versions) && settled(timeline) && settled(events) && settled(guards);
  // The trend of the picked metric carries each version's evaluation mean with its confidence interval. It reads
  // every version of the model (hundreds of ms at 10,000 versions, on the server's one event loop), so it is asked
  // for once the sections it would hold up have answered; the chart draws without error bars until it comes.
  const trend = useLoad(
    async () =>
      metricKey === null || !firstScreen
        ? null
        : unwrap(
            await api.GET('/api/v1/models/{model}/trend', {
              params: { path: { model }, query: { metric: metricKey } },
            }),
          ),
    [model, metricKey, firstScreen],
  );
  const settings = useLoad(async () => unwrap(await api.GET('/api/v1/dashboard/settings')), []);
  // Until the settings answer (or if they fail) workflow ids show as plain text.
  const ui: TemporalUi = settings.data?.temporalUi ?? null;
  const intervals = useMemo(
    () =>
      new Map(
        (trend.data?.metric === metricKey ? (trend.data?.points ?? []) : []).flatMap((p) =>
          p.evaluation?.interval == null
            ? []
            : [[p.version, { mean: p.evaluation.mean, units: p.evaluation.units, ...p.evaluation.interval }] as const],
        ),
      ),
    [trend.data, metricKey],
  );
  const production = timeline.data?.stints.find((st) => st.to === null)?.version ?? null;
  const previous = useMemo(
    () =>
      versions.data === null || timeline.data === null
        ? []
        : previousProduction(timeline.data.stints, versions.data.items),
    [versions.data, timeline.data],
  );
  const { reload: reloadVersions } = versions;
  const { reload: reloadTimeline } = timeline;
  const { reload: reloadEvents } = events;
  const { reload: reloadGuards } = guards;
  const reload = useCallback(() => {
    reloadVersions();
    reloadTimeline();
    reloadEvents();
    reloadGuards();
  }, [reloadVersions, reloadTimeline, reloadEvents, reloadGuards]);

  return (
    <main id="main">
      <h1>{model}</h1>
      <ProductionLine timeline={timeline} />
      {versions.data !== null && timeline.data !== null && (
        <Actions
          model={model}
          versions={versions.data.items}
          production={production}
          previous={previous}
          onChanged={reload}
        />
      )}
      <VersionsSection
        model={model}
        versions={versions}
        metric={metric}
        intervals={intervals}
        onMetric={setMetric}
        onNext={setVersionsCursor}
      />
      <TimelineSection timeline={timeline} />
      <GuardsSection guards={guards} ui={ui} />
      <AuditSection events={events} ui={ui} onNext={setEventsCursor} />
    </main>
  );
}
