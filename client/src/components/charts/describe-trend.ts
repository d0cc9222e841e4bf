/** The sentences that stand in for a chart: the latest value and the lowest and highest of the window. */
import { shortDay } from './days';

export function describeTrend(label: string, days: readonly string[], values: ReadonlyArray<number | null>, format: (value: number) => string): string {
  const points = values.flatMap((value, i) => (value == null ? [] : [{ value, day: days[i]! }]));
  if (points.length === 0) return `${label}: no data in these ${days.length} days.`;
  const latest = points.at(-1)!;
  if (points.length === 1) return `${label}: ${format(latest.value)} on ${shortDay(latest.day)}, the only day with data.`;
  const low = points.reduce((a, b) => (b.value < a.value ? b : a));
  const high = points.reduce((a, b) => (b.value > a.value ? b : a));
  return `${label}: ${format(latest.value)} on ${shortDay(latest.day)}; lowest ${format(low.value)} (${shortDay(low.day)}), highest ${format(high.value)} (${shortDay(high.day)}).`;
}
