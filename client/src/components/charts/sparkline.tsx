/** A small trend line without axes, for a card; its aria-label says what it shows in words. */
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { SERIES_STYLES } from './chart-colors';
import { dayToSeconds, utcDate } from './days';
import { useUplot } from './use-uplot';

type SparklineProps = {
  days: readonly string[];
  values: ReadonlyArray<number | null>;
  /** The text alternative: what the line shows, with its figures. */
  label: string;
  range?: [number, number];
  testId?: string;
};

export function Sparkline({ days, values, label, range, testId }: SparklineProps) {
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      tzDate: utcDate,
      legend: { show: false },
      cursor: { show: false },
      padding: [4, 4, 4, 4],
      axes: [{ show: false }, { show: false }],
      scales: { x: { time: true }, y: range ? { range } : { range: (_u, _min, max) => [0, max > 0 ? max : 1] } },
      series: [{}, { stroke: SERIES_STYLES[0].color, width: 2, points: { show: true, size: 4, fill: SERIES_STYLES[0].color } }],
    }),
    [range],
  );
  const data = useMemo<uPlot.AlignedData>(() => [days.map(dayToSeconds), [...values]], [days, values]);
  const container = useUplot(options, data, 32);
  return <div ref={container} className="sparkline" role="img" aria-label={label} data-testid={testId} />;
}
