/** The header's choice of the zone every time is shown in; the choice is remembered for the browser. */
import type { TimeZoneChoice } from '@/lib/format';
import { setTimeZoneChoice, useTimeZoneChoice } from '@/lib/time-zone';

// Read on first render, not when the script is evaluated: the first Intl object loads the browser's
// time zone data, and the admin's first task on the main thread is long enough without it.
let localZone: string | undefined;
const browserZone = () => (localZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone);

export function TimeZonePicker() {
  const choice = useTimeZoneChoice();
  return (
    <label className="time-zone-picker">
      Times in
      <select value={choice} onChange={(e) => setTimeZoneChoice(e.target.value as TimeZoneChoice)} data-testid="time-zone">
        <option value="local">local time ({browserZone()})</option>
        <option value="utc">UTC</option>
      </select>
    </label>
  );
}
