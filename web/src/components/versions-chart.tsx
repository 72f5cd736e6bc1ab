import { formatNumber } from '../format';

const WIDTH = 900;
const HEIGHT = 220;
const PAD = 40;

/** One version's point: its final metric, and where it has evaluation samples their mean's confidence interval. */
export interface VersionPoint {
  version: string;
  value: number;
  /** Evaluation mean with its interval (the server's t interval); drawn as an error bar around the mean. */
  evaluation?: { mean: number; low: number; high: number; level: number; units: number };
}

/**
 * One metric across versions (semver order) as points joined by a line; versions without the metric are skipped.
 * Versions with evaluation samples also get an error bar: the interval of the samples' mean, with the mean marked.
 * Each point is labelled with its version and value, which also name it for screen readers.
 */
export function VersionsChart(props: { metric: string; points: VersionPoint[] }) {
  if (props.points.length === 0) return <p>No version has {props.metric}.</p>;
  const values = props.points.flatMap((p) =>
    p.evaluation === undefined ? [p.value] : [p.value, p.evaluation.low, p.evaluation.high],
  );
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const range = hi - lo || Math.abs(hi) || 1;
  const x = (i: number) =>
    props.points.length === 1 ? WIDTH / 2 : PAD + (i / (props.points.length - 1)) * (WIDTH - 2 * PAD);
  const y = (v: number) => HEIGHT - PAD - ((v - lo) / range) * (HEIGHT - 2 * PAD);
  const path = props.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i)},${y(p.value)}`).join(' ');
  return (
    <svg
      role="img"
      aria-label={`${props.metric} across ${props.points.length} versions`}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
    >
      <path d={path} fill="none" stroke="#0550ae" stroke-width={2} />
      {props.points.map((p, i) => (
        <g key={p.version} data-version={p.version} data-value={p.value}>
          {p.evaluation !== undefined && (
            <g
              class="ci"
              data-mean={p.evaluation.mean}
              data-low={p.evaluation.low}
              data-high={p.evaluation.high}
              stroke="#8250df"
              stroke-width={1.5}
            >
              <line x1={x(i)} x2={x(i)} y1={y(p.evaluation.low)} y2={y(p.evaluation.high)} />
              <line x1={x(i) - 6} x2={x(i) + 6} y1={y(p.evaluation.low)} y2={y(p.evaluation.low)} />
              <line x1={x(i) - 6} x2={x(i) + 6} y1={y(p.evaluation.high)} y2={y(p.evaluation.high)} />
              <rect x={x(i) - 3} y={y(p.evaluation.mean) - 3} width={6} height={6} fill="#8250df">
                <title>{`${p.version}: evaluation mean ${formatNumber(p.evaluation.mean)}, ${Math.round(
                  p.evaluation.level * 100,
                )} % CI ${formatNumber(p.evaluation.low)} to ${formatNumber(p.evaluation.high)} (${p.evaluation.units} units)`}</title>
              </rect>
            </g>
          )}
          <circle cx={x(i)} cy={y(p.value)} r={4} fill="#0550ae">
            <title>{`${p.version}: ${props.metric} = ${formatNumber(p.value)}`}</title>
          </circle>
          <text x={x(i)} y={HEIGHT - 12} text-anchor="middle">
            {p.version}
          </text>
          {/* Right of the point, except the last, whose label would run off the chart. */}
          <text
            x={i === props.points.length - 1 && i > 0 ? x(i) - 8 : x(i) + 8}
            y={y(p.value) - 8}
            text-anchor={i === props.points.length - 1 && i > 0 ? 'end' : 'start'}
          >
            {formatNumber(p.value)}
          </text>
        </g>
      ))}
    </svg>
  );
}
