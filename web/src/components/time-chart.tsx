import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** One line of a {@link TimeChart}: its label, colour and a value (or null, a gap) per time. */
export interface TimeLine {
  label: string;
  stroke: string;
  values: (number | null)[];
  dash?: number[];
}

const HEIGHT = 220;

/**
 * A uPlot line chart over wall-clock time (`times` as ISO strings): one line per entry of `lines`, all sharing the
 * x axis. Rebuilt when the data changes; the A/B page's data is small (at most the server's 500 points).
 */
export function TimeChart(props: { title: string; yLabel: string; times: string[]; lines: TimeLine[]; id: string }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = container.current!;
    const data: uPlot.AlignedData = [props.times.map((t) => Date.parse(t) / 1000), ...props.lines.map((l) => l.values)];
    const plot = new uPlot(
      {
        width: Math.max(target.clientWidth, 300),
        height: HEIGHT,
        title: props.title,
        axes: [{}, { label: props.yLabel }],
        series: [
          { label: 'time' },
          ...props.lines.map((l) => ({
            label: l.label,
            stroke: l.stroke,
            width: 1.5,
            ...(l.dash ? { dash: l.dash } : {}),
          })),
        ],
      },
      data,
      target,
    );
    return () => plot.destroy();
  }, [props.times, props.lines]);
  return (
    <figure>
      <div
        ref={container}
        class="time-chart"
        data-chart={props.id}
        data-points={props.times.length}
        role="img"
        aria-label={`${props.title}: ${props.times.length} points over time`}
      />
    </figure>
  );
}
