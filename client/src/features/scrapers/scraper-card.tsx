/** One scraper's health (state, success rate, runs by status, latest warnings, last run) and, for admins, its controls. */
import { useRef, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { ActionProblem } from '@/components/async-state';
import { Badge, HealthStateBadge, RunStatusBadge, successTone } from '@/components/badge';
import { RunWarningList } from '@/components/run-warnings';
import { graphql } from '@/gql/gql';
import type { RunRowFragment, ScraperFieldsFragment, ScraperHealthFieldsFragment, ScraperSparklinesFragment } from '@/gql/graphql';
import { RelativeTime } from '@/components/date-time';
import { formatCount, formatDuration, formatPercent } from '@/lib/format';
import { useCanMutate } from '@/lib/session';
import { useNarrowScreen } from '@/hooks/use-narrow-screen';
import { ScraperSparklines } from './scraper-sparklines';

// Spread by the queries and subscriptions of scrapers (codegen reads it from here).
graphql(`
  fragment ScraperFields on Scraper {
    id
    slug
    name
    cron
    timezone
    enabled
    paused
    source {
      name
    }
  }
`);

// The card's figures, spread by the scrapers page's query.
graphql(`
  fragment ScraperHealthFields on ScraperHealth {
    state
    successRate
    averageDurationSeconds
    runCount
    finishedCount
    runsByStatus {
      status
      count
    }
    latestWarnings {
      ...RunWarningFields
    }
    openIncidentCount
  }
`);

const TriggerRunMutation = graphql(`
  mutation TriggerRun($scraperId: ID!, $ifActive: IfActive) {
    triggerRun(scraperId: $scraperId, ifActive: $ifActive) {
      __typename
      ... on MutationTriggerRunSuccess {
        data {
          ...RunRow
        }
      }
      ... on RunInProgressError {
        activeRun {
          id
          status
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const PauseMutation = graphql(`
  mutation PauseScraper($scraperId: ID!) {
    pauseScraper(scraperId: $scraperId) {
      __typename
      ... on MutationPauseScraperSuccess {
        data {
          id
          paused
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const ResumeMutation = graphql(`
  mutation ResumeScraper($scraperId: ID!) {
    resumeScraper(scraperId: $scraperId) {
      __typename
      ... on MutationResumeScraperSuccess {
        data {
          id
          paused
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

/** "12 success · 3 warning · 1 error": the ended runs that judge the scraper, WARNING apart from SUCCESS. */
function endedRuns(health: ScraperHealthFieldsFragment | undefined): string {
  const count = (status: string) => health?.runsByStatus.find((r) => r.status === status)?.count ?? 0;
  return `${count('SUCCESS')} success · ${count('WARNING')} warning · ${count('ERROR')} error`;
}

/**
 * The card's secondary figures (source and schedule, run counts, sparklines, warnings): shown in full on
 * wide screens, behind a "Details" disclosure on narrow ones so a phone sees every scraper's state at a glance.
 */
function CardDetails({ narrow, children }: { narrow: boolean; children: ReactNode }) {
  if (!narrow) return <div className="scraper-card__details">{children}</div>;
  return (
    <details className="scraper-card__details scraper-card__details--disclosure" data-testid="card-details">
      <summary>Details</summary>
      {children}
    </details>
  );
}

type CardProps = {
  scraper: ScraperFieldsFragment;
  /** The last 7 days, for the sparklines. */
  trends?: ScraperSparklinesFragment;
  health: ScraperHealthFieldsFragment | undefined;
  lastRun: RunRowFragment | null;
  selected?: boolean;
  /** Given to admins: the card then has a checkbox that adds it to the selection bulk actions act on. */
  onToggle?: (id: string) => void;
};

export function ScraperCard({ scraper, trends, health, lastRun, selected = false, onToggle }: CardProps) {
  const canMutate = useCanMutate();
  const [problem, setProblem] = useState<string | null>(null);
  /** The run a refused "Run now" found queued or running. */
  const [inProgress, setInProgress] = useState<{ id: string; status: string } | null>(null);
  const [trigger, triggerRun] = useMutation(TriggerRunMutation);
  const [pause, pauseScraper] = useMutation(PauseMutation);
  const [resume, resumeScraper] = useMutation(ResumeMutation);
  /** What the last action did, for screen readers (the controls keep the focus, so nothing else says it). */
  const [announcement, setAnnouncement] = useState('');
  const runNowButton = useRef<HTMLButtonElement>(null);
  const titleId = `scraper-${scraper.id}-title`;
  const toggling = pause.fetching || resume.fetching;

  /** Pause or Resume: one button whose label follows the state, so the focus stays on it. */
  async function togglePaused() {
    // Busy controls are aria-disabled rather than disabled (a disabled button drops the focus): ignore presses.
    if (toggling) return;
    setProblem(null);
    setInProgress(null);
    setAnnouncement('');
    const pausing = !scraper.paused;
    const result = pausing ? await pauseScraper({ scraperId: scraper.id }) : await resumeScraper({ scraperId: scraper.id });
    const outcome = result.data && ('pauseScraper' in result.data ? result.data.pauseScraper : result.data.resumeScraper);
    if (outcome && !('message' in outcome)) setAnnouncement(`${scraper.name} ${pausing ? 'paused' : 'resumed'}`);
    else setProblem(result.error?.message ?? outcome?.message ?? null);
  }

  /** Run now; a scraper already running answers with its run, and "queue after it" asks again with QUEUE. */
  async function runNow(ifActive: 'REFUSE' | 'QUEUE') {
    if (trigger.fetching) return;
    setProblem(null);
    setInProgress(null);
    setAnnouncement('');
    const { error, data } = await triggerRun({ scraperId: scraper.id, ifActive });
    const outcome = data?.triggerRun;
    if (outcome?.__typename === 'RunInProgressError') setInProgress(outcome.activeRun);
    else if (outcome?.__typename === 'MutationTriggerRunSuccess') {
      setAnnouncement(`${scraper.name}: run #${outcome.data.id} queued`);
      // "Queue a run after it" goes away with its notice: the focus goes back to Run now.
      if (ifActive === 'QUEUE') runNowButton.current?.focus();
    } else setProblem(error?.message ?? (outcome && 'message' in outcome ? outcome.message : null));
  }

  const tone = successTone(health?.successRate);
  const narrow = useNarrowScreen();
  return (
    <article className={selected ? 'card scraper-card scraper-card--selected' : 'card scraper-card'} aria-labelledby={titleId} data-scraper={scraper.slug}>
      <header className="scraper-card__head">
        <span className="scraper-card__select">
          {onToggle && <input type="checkbox" checked={selected} onChange={() => onToggle(scraper.id)} aria-label={`Select ${scraper.name}`} />}
          <h2 id={titleId} className="scraper-card__title">
            <Link to={`/scrapers/${scraper.slug}`}>{scraper.name}</Link>
          </h2>
        </span>
        <Badge tone={tone}>{health?.successRate == null ? 'no finished runs' : `${formatPercent(health.successRate)} success`}</Badge>
      </header>
      <div className="badges">
        <span data-testid="health-state">
          <HealthStateBadge state={health?.state ?? 'NO_DATA'} />
        </span>
        {!scraper.enabled && <Badge tone="bad">Disabled</Badge>}
        {scraper.paused && <Badge tone="warn">Paused</Badge>}
        {scraper.enabled && !scraper.paused && <Badge tone="good">Active</Badge>}
        {health && health.openIncidentCount > 0 && (
          <Link to="/alerts" className="badge badge--bad" data-testid="open-incidents">
            {formatCount(health.openIncidentCount, 'open incident')}
          </Link>
        )}
      </div>
      <dl className="facts">
        <dt>Last run</dt>
        <dd data-testid="last-run">
          {lastRun ? (
            <>
              <Link to={`/runs/${lastRun.id}`}>#{lastRun.id}</Link> <RunStatusBadge status={lastRun.status} />{' '}
              <RelativeTime className="muted" value={lastRun.queuedAt} />
            </>
          ) : (
            'never'
          )}
        </dd>
      </dl>
      <CardDetails narrow={narrow}>
        <p className="muted">
          {scraper.source.name} · {scraper.cron ? <code>{scraper.cron}</code> : 'no schedule'} ({scraper.timezone})
        </p>
        <dl className="facts">
          <dt>Runs (7 days)</dt>
          <dd>{health?.runCount ?? 0}</dd>
          <dt>Ended</dt>
          <dd data-testid="ended-runs">{endedRuns(health)}</dd>
          <dt>Average duration</dt>
          <dd>{formatDuration(health?.averageDurationSeconds)}</dd>
        </dl>
        {trends && <ScraperSparklines trends={trends} />}
        {health && health.latestWarnings.length > 0 && (
          <div className="scraper-card__warnings">
            <h3>Latest warnings</h3>
            <RunWarningList warnings={health.latestWarnings} />
          </div>
        )}
      </CardDetails>
      {canMutate && (
        <div className="actions">
          <button
            ref={runNowButton}
            type="button"
            className="button button--primary"
            disabled={!scraper.enabled}
            aria-disabled={trigger.fetching || undefined}
            onClick={() => runNow('REFUSE')}
          >
            Run now
          </button>
          <button type="button" className="button" aria-disabled={toggling || undefined} onClick={togglePaused}>
            {scraper.paused ? 'Resume' : 'Pause'}
          </button>
          <Link className="button" to={`/scrapers/${scraper.slug}/edit`}>
            Edit definition
          </Link>
        </div>
      )}
      <ActionProblem problem={problem} />
      <p className="visually-hidden" role="status" data-testid="card-announcement">
        {announcement}
      </p>
      {inProgress && (
        <div className="state state--info run-in-progress" role="status" data-testid="run-in-progress">
          <span>
            {inProgress.status === 'RUNNING' ? 'Already running: ' : 'Already queued: '}
            <Link to={`/runs/${inProgress.id}`}>run #{inProgress.id}</Link>
          </span>
          {inProgress.status === 'RUNNING' && (
            <button type="button" className="button button--small" aria-disabled={trigger.fetching || undefined} onClick={() => runNow('QUEUE')}>
              Queue a run after it
            </button>
          )}
        </div>
      )}
    </article>
  );
}
