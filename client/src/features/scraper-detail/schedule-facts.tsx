/** A scraper's schedule: cron and zone, state, and the next fire times the server's scheduler computed. */
import { Badge } from '@/components/badge';
import { graphql } from '@/gql/gql';
import type { ScheduleFactsFragment } from '@/gql/graphql';
import { formatDateTime, formatFireTime } from '@/lib/format';
import { useTimeZoneChoice } from '@/lib/time-zone';

// Spread by the scraper detail query (codegen reads it from here).
graphql(`
  fragment ScheduleFacts on ScraperSchedule {
    cron
    timezone
    enabled
    paused
    missedRunPolicy
    missedCount
    nextFireTimes
    lastTick {
      fireAt
      outcome
      run {
        id
      }
    }
  }
`);

export function ScheduleFacts({ schedule }: { schedule: ScheduleFactsFragment }) {
  const { cron, timezone, nextFireTimes } = schedule;
  const zone = useTimeZoneChoice();
  return (
    <section aria-labelledby="schedule-title" className="card">
      <h2 id="schedule-title" className="card__title">
        Schedule
      </h2>
      <dl className="facts">
        <dt>Cron</dt>
        <dd>{cron ? <code>{cron}</code> : 'none: runs only when triggered'}</dd>
        <dt>Time zone</dt>
        <dd>{timezone}</dd>
        <dt>State</dt>
        <dd>
          {!schedule.enabled ? <Badge tone="bad">Disabled</Badge> : schedule.paused ? <Badge tone="warn">Paused</Badge> : <Badge tone="good">Active</Badge>}
        </dd>
        <dt>Missed fire times</dt>
        <dd>
          {schedule.missedCount} in 30 days ({schedule.missedRunPolicy})
        </dd>
        <dt>Last fire time</dt>
        <dd>{schedule.lastTick ? `${formatFireTime(schedule.lastTick.fireAt, timezone)} · ${schedule.lastTick.outcome}` : '—'}</dd>
        <dt>Next fire times</dt>
        <dd data-testid="next-fire-times">
          {nextFireTimes.length === 0 ? (
            cron ? (
              'none while paused or disabled'
            ) : (
              '—'
            )
          ) : (
            <ol className="plain-list">
              {nextFireTimes.map((at) => (
                <li key={at}>
                  <time dateTime={at} title={formatDateTime(at, zone)}>
                    {formatFireTime(at, timezone)}
                  </time>
                </li>
              ))}
            </ol>
          )}
        </dd>
      </dl>
    </section>
  );
}
