/**
 * The zone a scraper's days are counted in, as PostgreSQL must be told it. A scraper's zone is read
 * by Intl (its input accepts what Intl accepts, and the scheduler fires in it), whose data still
 * knows links tzdata dropped (US/Pacific-New): PostgreSQL refuses those, and a run's end would fail
 * on them. Intl's canonical name for the zone is one PostgreSQL knows, and is the zone the scheduler uses.
 */
function countingZone(scraper: { cron: string | null; timezone: string }): string {
  if (scraper.cron === null) return 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: scraper.timezone }).resolvedOptions().timeZone;
  } catch {
    // A zone neither knows (stored before its input was checked) cannot be scheduled in either.
    return 'UTC';
  }
}

/** The zones of the scrapers as two parallel arrays, for `unnest($n::int[], $m::text[])`. */
export function countingZones(scrapers: ReadonlyArray<{ id: number; cron: string | null; timezone: string }>): [number[], string[]] {
  return [scrapers.map((s) => s.id), scrapers.map(countingZone)];
}
