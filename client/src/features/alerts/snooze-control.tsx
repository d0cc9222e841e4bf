/** Snoozes something for a chosen time, or ends its snooze: a rule's or a scraper's alerts. */
import { useId, useState } from 'react';
import { formatDateTime } from '@/lib/format';
import { useTimeZoneChoice } from '@/lib/time-zone';

const DURATIONS = [
  { minutes: 60, label: '1 hour' },
  { minutes: 240, label: '4 hours' },
  { minutes: 1440, label: '1 day' },
  { minutes: 10080, label: '7 days' },
];

export function SnoozeControl({ label, snoozedUntil, busy, onSnooze }: { label: string; snoozedUntil: string | null; busy: boolean; onSnooze: (minutes: number) => void }) {
  const [minutes, setMinutes] = useState(DURATIONS[0]!.minutes);
  const id = useId();
  const zone = useTimeZoneChoice();
  const snoozed = snoozedUntil != null && new Date(snoozedUntil) > new Date();
  return (
    <div className="snooze" role="group" aria-label={label}>
      <label htmlFor={id} className="visually-hidden">
        Snooze for
      </label>
      <select id={id} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
        {DURATIONS.map((d) => (
          <option key={d.minutes} value={d.minutes}>
            {d.label}
          </option>
        ))}
      </select>
      <button type="button" className="button button--small" disabled={busy} onClick={() => onSnooze(minutes)}>
        Snooze
      </button>
      {snoozed && (
        <button type="button" className="button button--small" disabled={busy} onClick={() => onSnooze(0)} title={`Snoozed until ${formatDateTime(snoozedUntil, zone)}`}>
          End snooze
        </button>
      )}
    </div>
  );
}
