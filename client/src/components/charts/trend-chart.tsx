/**
 * A daily trend as a uPlot line chart, with its text alternative: a one-sentence summary that the
 * chart's image role is described by, and "Show data" opening the numbers as a real table. Each
 * chart says which time zone its days are counted in.
 */
import { useId, useMemo, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { AXIS_COLOR, GRID_COLOR, SERIES_STYLES } from './chart-colors';
import { dayLabel, dayToSeconds, utcDate } from './days';
import { useUplot } from './use-uplot';

type TrendSeries = { label: string; values: ReadonlyArray<number | null> };

type TrendChartProps = {
  title: string;
  /** YYYY-MM-DD, oldest first, one per point. */
  days: readonly string[];
  timezone: string;
  series: TrendSeries[];
  /** Formats a value for the axis, the table and the summary. */
  format: (value: number) => string;
  summary: string;
  /** A fixed value axis (0 to 1 for shares); otherwise from 0 to the largest value. */
  range?: [number, number];
  testId?: string;
};

const HEIGHT = 200;

/** Room for the longest value label ("1 min 10 s") beside the value axis, so none is cut off. */
const labelWidth = (_u: uPlot, values: string[] | null) => 20 + 7 * Math.max(3, ...(values ?? []).map((v) => String(v).length));

export function TrendChart({ title, days, timezone, series, format, summary, range, testId }: TrendChartProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const formatRef = useRef(format);
  formatRef.current = format;
  const labels = JSON.stringify(series.map((s) => s.label));
  const dense = days.length > 31;

  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      tzDate: utcDate,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: range ? { range } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: AXIS_COLOR, grid: { stroke: GRID_COLOR }, ticks: { stroke: GRID_COLOR }, space: 56, values: (_u, splits) => splits.map((s) => dayLabel(s)) },
        { stroke: AXIS_COLOR, grid: { stroke: GRID_COLOR }, ticks: { stroke: GRID_COLOR }, size: labelWidth, values: (_u, splits) => splits.map((v) => formatRef.current(v)) },
      ],
      series: [
        {},
        ...(JSON.parse(labels) as string[]).map((label, i) => {
          const style = SERIES_STYLES[i % SERIES_STYLES.length]!;
          return { label, stroke: style.color, width: 2, dash: [...style.dash], points: { show: true, size: dense ? 3 : 5, fill: style.color } };
        }),
      ],
    }),
    [labels, range, dense],
  );
  const data = useMemo<uPlot.AlignedData>(() => [days.map(dayToSeconds), ...series.map((s) => [...s.values])], [days, series]);
  const container = useUplot(options, data, HEIGHT);

  return (
    <figure className="chart" aria-labelledby={`${id}-title`} data-testid={testId}>
      <h3 id={`${id}-title`} className="chart__title">
        {title}
      </h3>
      <p id={`${id}-summary`} className="chart__summary">
        {summary}
      </p>
      <p className="chart__zone muted">Days in {timezone}</p>
      {series.length > 1 && (
        <ul className="chart__legend" aria-label="Lines">
          {series.map((s, i) => {
            const style = SERIES_STYLES[i % SERIES_STYLES.length]!;
            return (
              <li key={s.label}>
                <svg width="28" height="10" aria-hidden="true">
                  <line x1="1" y1="5" x2="27" y2="5" stroke={style.color} strokeWidth="2.5" strokeDasharray={style.dash.join(' ')} />
                </svg>
                {s.label} <span className="visually-hidden">({style.name} line)</span>
              </li>
            );
          })}
        </ul>
      )}
      <div ref={container} className="chart__plot" role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`} />
      <button type="button" className="button button--small" aria-expanded={open} aria-controls={`${id}-data`} onClick={() => setOpen(!open)}>
        {open ? 'Hide data' : 'Show data'}
      </button>
      <div id={`${id}-data`} hidden={!open} className="chart__data">
        {open && (
          <div className="table-scroll">
            <table className="table">
              <caption className="visually-hidden">
                {title}, days in {timezone}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  {series.map((s) => (
                    <th key={s.label} scope="col" className="num">
                      {s.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {days.map((day, i) => (
                  <tr key={day} data-day={day}>
                    <th scope="row">{day}</th>
                    {series.map((s) => {
                      const value = s.values[i];
                      return (
                        <td key={s.label} className="num">
                          {value == null ? '—' : format(value)}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </figure>
  );
}
