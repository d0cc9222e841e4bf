/** What a scheduler pass owes one scraper: nothing, the fire time that is due, or a missed one the policy decides. */
import { describe, expect, it } from 'vitest';
import { decideTick, MAX_MISSED_RECORDED } from '../../server/scheduler/decideTick.ts';
import type { ScheduledScraper } from '../../server/scheduler/sql/listScheduledScrapers.ts';

const GRACE_SECONDS = 180;
const at = (iso: string) => new Date(iso);

function scraper(overrides: Partial<ScheduledScraper> = {}): ScheduledScraper {
  return { id: 1, cron: '*/5 * * * *', timezone: 'UTC', missedRunPolicy: 'SKIP', scheduledThrough: at('2026-01-15T12:00:00Z'), ...overrides };
}

describe('decideTick', () => {
  it('owes nothing when the newest fire time is already dealt with', () => {
    expect(decideTick(scraper(), at('2026-01-15T12:04:59Z'), GRACE_SECONDS)).toBeNull();
    // A cursor past the fire time (a pass of another instance already recorded it) owes nothing either.
    expect(decideTick(scraper({ scheduledThrough: at('2026-01-15T12:05:00Z') }), at('2026-01-15T12:05:30Z'), GRACE_SECONDS)).toBeNull();
  });

  it('queues the fire time that has just come', () => {
    expect(decideTick(scraper(), at('2026-01-15T12:05:30Z'), GRACE_SECONDS)).toEqual({
      fireAt: at('2026-01-15T12:05:00Z'),
      caughtUp: false,
      queueRun: true,
      missed: [],
    });
  });

  it('takes a fire time falling exactly on the moment as due', () => {
    expect(decideTick(scraper(), at('2026-01-15T12:05:00Z'), GRACE_SECONDS)?.fireAt).toEqual(at('2026-01-15T12:05:00Z'));
  });

  it('runs the newest fire time once after a gap and records the older ones as missed, newest first', () => {
    const decision = decideTick(scraper(), at('2026-01-15T12:20:10Z'), GRACE_SECONDS);
    expect(decision).toEqual({
      fireAt: at('2026-01-15T12:20:00Z'),
      caughtUp: false,
      queueRun: true,
      missed: [at('2026-01-15T12:15:00Z'), at('2026-01-15T12:10:00Z'), at('2026-01-15T12:05:00Z')],
    });
  });

  it('leaves a fire time older than the grace period to the policy: SKIP records it, RUN_ONCE runs it', () => {
    const now = at('2026-01-15T12:08:01Z'); // 12:05 is 181 s old
    expect(decideTick(scraper({ missedRunPolicy: 'SKIP' }), now, GRACE_SECONDS)).toMatchObject({ fireAt: at('2026-01-15T12:05:00Z'), caughtUp: true, queueRun: false });
    expect(decideTick(scraper({ missedRunPolicy: 'RUN_ONCE' }), now, GRACE_SECONDS)).toMatchObject({ caughtUp: true, queueRun: true });
  });

  it('counts a fire time exactly as old as the grace period as on time', () => {
    expect(decideTick(scraper(), at('2026-01-15T12:08:00Z'), GRACE_SECONDS)).toMatchObject({ caughtUp: false, queueRun: true });
  });

  it(`records at most ${MAX_MISSED_RECORDED} missed fire times, the newest`, () => {
    const decision = decideTick(scraper({ cron: '* * * * *', scheduledThrough: at('2026-01-14T12:00:00Z') }), at('2026-01-15T12:00:30Z'), GRACE_SECONDS)!;
    expect(decision.fireAt).toEqual(at('2026-01-15T12:00:00Z'));
    expect(decision.missed).toHaveLength(MAX_MISSED_RECORDED);
    expect(decision.missed[0]).toEqual(at('2026-01-15T11:59:00Z'));
    expect(decision.missed.at(-1)).toEqual(new Date(at('2026-01-15T12:00:00Z').getTime() - MAX_MISSED_RECORDED * 60_000));
  });

  it('reads the cron in the scraper’s time zone', () => {
    const daily = scraper({ cron: '0 9 * * *', timezone: 'Europe/Berlin', scheduledThrough: at('2026-07-14T07:00:00Z') });
    expect(decideTick(daily, at('2026-07-15T06:59:00Z'), GRACE_SECONDS)).toBeNull();
    expect(decideTick(daily, at('2026-07-15T07:00:30Z'), GRACE_SECONDS)).toMatchObject({ fireAt: at('2026-07-15T07:00:00Z'), queueRun: true, missed: [] });
  });
});
