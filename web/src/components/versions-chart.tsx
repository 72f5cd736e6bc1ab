import { formatNumber } from '../format';

const WIDTH = 900;
const HEIGHT = 220;
const PAD = 40;

/**
 * One metric across versions (semver order) as points joined by a line; versions without the metric are skipped.
 * Each point is labelled with its version and value, which also name it for screen readers.
 */
export function VersionsChart(props: { metric: string; points: { version: string; value: number }[] }) {
  if (props.points.length === 0) return <p>No version has {props.metric}.</p>;
  const values = props.points.map((p) => p.value);
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
          <circle cx={x(i)} cy={y(p.value)} r={4} fill="#0550ae">
            <title>{`${p.version}: ${props.metric} = ${formatNumber(p.value)}`}</title>
          </circle>
          <text x={x(i)} y={HEIGHT - 12} text-anchor="middle">
            {p.version}
          </text>
          <text x={x(i)} y={y(p.value) - 8} text-anchor="middle">
            {formatNumber(p.value)}
          </text>
        </g>
      ))}
    </svg>
  );
}
