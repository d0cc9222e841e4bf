/**
 * Trend days are calendar days (YYYY-MM-DD) already counted in the scraper's zone by the server;
 * the charts place them at UTC midnight and label them in UTC, so no browser zone shifts a day.
 */
import uPlot from 'uplot';

export function dayToSeconds(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

export const utcDate = (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), 'UTC');

const short = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** "Dec 5" for a point of the time axis. */
export function dayLabel(seconds: number): string {
  return short.format(new Date(seconds * 1000));
}

/** "Dec 5" for a YYYY-MM-DD day. */
export function shortDay(day: string): string {
  return dayLabel(dayToSeconds(day));
}
