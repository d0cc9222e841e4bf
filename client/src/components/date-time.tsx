/** Every time the admin shows: in the zone the person chose, with the zone stated, following a change of that choice at once. */
import { useNow } from '@/hooks/use-now';
import { formatDateTime, formatRelative } from '@/lib/format';
import { useTimeZoneChoice } from '@/lib/time-zone';

/** Ages are shown to the second below a minute: a few seconds between renders keeps them honest. */
const TICK_MS = 5_000;

/** "Dec 6, 2026, 3:16:31 AM UTC", or a dash when there is no time. */
export function DateTime({ value }: { value: string | null | undefined }) {
  const choice = useTimeZoneChoice();
  if (!value) return <>—</>;
  return <time dateTime={value}>{formatDateTime(value, choice)}</time>;
}

/**
 * "2 min ago", with the exact time on hover and on focus: a pointer gets the title, a keyboard
 * user can tab to it and sees the same, and a screen reader hears it as the element's description.
 */
export function RelativeTime({ value, className }: { value: string | null | undefined; className?: string }) {
  const choice = useTimeZoneChoice();
  // Kept moving while the page is open: a render every few seconds, no request.
  const now = useNow(TICK_MS);
  if (!value) return <span className={className}>{formatRelative(value, now)}</span>;
  const exact = formatDateTime(value, choice);
  return (
    <time className={className ? `relative-time ${className}` : 'relative-time'} dateTime={value} title={exact} data-exact={exact} tabIndex={0}>
      {formatRelative(value, now)}
    </time>
  );
}
