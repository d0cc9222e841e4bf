/** Formats times, durations, counts and ratios the same way on every page. */


/** Numbers read the same on every page and in every browser: "100,000". */
const LOCALE = 'en-US';

export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return value.toLocaleString(LOCALE, options);
}

/** Times are shown in the browser's zone or in UTC, as the person chose (lib/time-zone). */
export type TimeZoneChoice = 'local' | 'utc';

/**
 * A formatter per zone choice, made on first use and kept: creating one costs far more than using it
 * (the first one loads the browser's time zone data), so the log viewer, which formats every row on
 * screen at each render, must not make one per row; and none is made while the admin's script is
 * first evaluated, which would lengthen that one task on the main thread.
 */
function formatterPerZone(options: Intl.DateTimeFormatOptions): (choice: TimeZoneChoice) => Intl.DateTimeFormat {
  const made: Partial<Record<TimeZoneChoice, Intl.DateTimeFormat>> = {};
  return (choice) => (made[choice] ??= new Intl.DateTimeFormat(LOCALE, choice === 'utc' ? { ...options, timeZone: 'UTC' } : options));
}

const dateTimeFormat = formatterPerZone({ year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
const logTimeFormat = formatterPerZone({ hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const logDayFormat = formatterPerZone({ year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', timeZoneName: 'short' });

/** "Dec 6, 2026, 3:16:31 AM UTC": always with its zone, in the zone the person chose. */
export function formatDateTime(value: string | null | undefined, choice: TimeZoneChoice): string {
  return value ? dateTimeFormat(choice).format(new Date(value)) : '—';
}

/** A cron's fire time in the schedule's own zone, which is how the expression reads: "Mon, Dec 7, 2026, 03:00". */
export function formatFireTime(value: string, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALE, { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(value));
}

/** Time of day with milliseconds, for log lines; the log's header states the date and zone. */
export function formatLogTime(value: string, choice: TimeZoneChoice): string {
  const date = new Date(value);
  return `${logTimeFormat(choice).format(date)}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** "Dec 6, 2026 (UTC)": the date and zone of a log's first line, said once above its compact times. */
export function formatLogDay(value: string, choice: TimeZoneChoice): string {
  const parts = logDayFormat(choice).formatToParts(new Date(value));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('month')} ${part('day')}, ${part('year')} (${part('timeZoneName')})`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatAge(seconds: number | null | undefined): string {
  if (seconds == null) return 'never';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** How long before `now` (pass useNow's, so the label keeps moving) the time was. */
export function formatRelative(value: string | null | undefined, now = Date.now()): string {
  if (!value) return 'never';
  return formatAge(Math.max(0, Math.round((now - new Date(value).getTime()) / 1000)));
}

export function formatPercent(ratio: number | null | undefined): string {
  return ratio == null ? '—' : `${Math.round(ratio * 1000) / 10}%`;
}

/** "1 warning", "2 warnings": a count with its noun. */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatNumber(count)} ${count === 1 ? singular : plural}`;
}

/** "1–50 of 1,234 products" for a page of a list; "about" when the total is the server's estimate. */
export function formatRange(offset: number, pageSize: number, total: number, exact: boolean, singular: string): string {
  const of = `${exact ? '' : 'about '}${formatNumber(total)} ${total === 1 ? singular : `${singular}s`}`;
  if (pageSize === 0) return `0 of ${of}`;
  return `${formatNumber(offset + 1)}–${formatNumber(offset + pageSize)} of ${of}`;
}

const price = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A price as scraped (the source's currency is not stored): two decimals, or a dash when unknown. */
export function formatPrice(value: number | null | undefined): string {
  return value == null ? '—' : price.format(value);
}

/** THC or CBD content, stored as a percentage (0 to 100). */
export function formatPercentValue(value: number | null | undefined): string {
  return value == null ? '—' : `${Math.round(value * 10) / 10}%`;
}
