import { formatTime } from '../format';

/** A production stint as the timeline route returns it. */
export interface Stint {
  version: string;
  from: string;
  to: string | null;
  actor: string;
  reason: string | null;
  via: string;
}

const LANE = 26;
const LABEL = 70;
const WIDTH = 900;

/**
 * The production timeline as a lane chart: one lane per version that ever served, one bar per stint from its
 * entry to its exit (or `now`). Each bar is focusable and its tooltip (and accessible name) gives actor and reason.
 */
export function TimelineChart(props: { stints: Stint[]; now: string }) {
  if (props.stints.length === 0) return <p>No version has been in production.</p>;
  const lanes = [...new Set(props.stints.map((s) => s.version))];
  const laneOf = new Map(lanes.map((v, i) => [v, i]));
  const start = Date.parse(props.stints[0]!.from);
  const end = Math.max(Date.parse(props.now), ...props.stints.map((s) => Date.parse(s.to ?? props.now)));
  const span = Math.max(end - start, 1);
  const x = (iso: string) => LABEL + ((Date.parse(iso) - start) / span) * (WIDTH - LABEL - 10);
  const height = lanes.length * LANE + 24;
  return (
    <svg
      role="img"
      aria-label={`production timeline: ${props.stints.length} stints of ${lanes.length} versions`}
      viewBox={`0 0 ${WIDTH} ${height}`}
      width="100%"
      class="timeline"
    >
      {lanes.map((v, i) => (
        <text key={v} x={4} y={i * LANE + 17}>
          {v}
        </text>
      ))}
      {props.stints.map((s, i) => {
        const lane = laneOf.get(s.version)!;
        const x0 = x(s.from);
        const x1 = Math.max(x(s.to ?? props.now), x0 + 3);
        const label = `${s.version} in production ${formatTime(s.from)} – ${s.to === null ? 'now' : formatTime(s.to)}, ${s.via.toLowerCase()} by ${s.actor}${s.reason === null ? '' : `: ${s.reason}`}`;
        return (
          <rect
            key={i}
            class="lane-bar"
            data-version={s.version}
            tabIndex={0}
            aria-label={label}
            x={x0}
            y={lane * LANE + 4}
            width={x1 - x0}
            height={LANE - 8}
          >
            <title>{label}</title>
          </rect>
        );
      })}
      <text x={LABEL} y={height - 4}>
        {formatTime(props.stints[0]!.from)}
      </text>
      <text x={WIDTH - 10} y={height - 4} text-anchor="end">
        {formatTime(new Date(end).toISOString())}
      </text>
    </svg>
  );
}
