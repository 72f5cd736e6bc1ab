import { useLayoutEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** One series as the experiment route answers it. */
export interface SeriesPoint {
  step: number;
  value: number;
}

/** The step window a zoom asks for; null for the whole series. */
export type StepWindow = { from: number; to: number } | null;

const HEIGHT = 260;

function aligned(points: SeriesPoint[]): uPlot.AlignedData {
  return [points.map((p) => p.step), points.map((p) => p.value)];
}

/**
 * A uPlot line chart of one metric over steps. Dragging across it zooms: `onZoom` gets the visible step window,
 * and the page re-fetches that window from the server at full resolution; new `points` replace the data without
 * resetting the zoom. The container says how many points it shows and which window (for people and tests).
 */
export function SeriesChart(props: {
  metric: string;
  points: SeriesPoint[];
  window: StepWindow;
  onZoom: (window: StepWindow) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const drawn = useRef<SeriesPoint[] | null>(null);
  const onZoom = useRef(props.onZoom);
  onZoom.current = props.onZoom;

  // Layout effects: the chart is built as soon as its container is in the DOM, not a frame later.
  useLayoutEffect(() => {
    const target = container.current!;
    const plot = new uPlot(
      {
        width: Math.max(target.clientWidth, 300),
        height: HEIGHT,
        title: props.metric,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, { label: props.metric }],
        series: [{ label: 'step' }, { label: props.metric, stroke: '#0550ae', width: 1.5 }],
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 2) return;
              const from = Math.max(0, Math.floor(u.posToVal(u.select.left, 'x')));
              const to = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x'));
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              onZoom.current({ from, to });
            },
          ],
        },
        cursor: { drag: { x: true, y: false, setScale: false } },
      },
      aligned(props.points),
      target,
    );
    chart.current = plot;
    drawn.current = props.points;
    return () => plot.destroy();
  }, [props.metric]);

  useLayoutEffect(() => {
    const plot = chart.current;
    // The chart was just built with these points: drawing them again would double the first paint's work.
    if (plot === null || drawn.current === props.points) return;
    drawn.current = props.points;
    plot.setData(aligned(props.points), true);
  }, [props.points]);

  return (
    <figure>
      <div
        ref={container}
        class="series-chart"
        data-metric={props.metric}
        data-points={props.points.length}
        data-step-from={props.window?.from ?? ''}
        data-step-to={props.window?.to ?? ''}
        data-max={props.points.length === 0 ? '' : Math.max(...props.points.map((p) => p.value))}
        role="img"
        aria-label={`${props.metric} over steps: ${props.points.length} points${props.window === null ? '' : ` of steps ${props.window.from}–${props.window.to}`}`}
      />
      <figcaption class="chart-note">
        {props.points.length} points
        {props.window === null
          ? ' (whole series; drag across the chart to zoom)'
          : ` of steps ${props.window.from}–${props.window.to}`}
        {props.window !== null && (
          <button type="button" onClick={() => props.onZoom(null)}>
            Reset zoom
          </button>
        )}
      </figcaption>
    </figure>
  );
}
