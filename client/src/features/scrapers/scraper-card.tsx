/** One scraper's health (success rate, average duration, last run) and, for admins, its controls. */
import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { ActionProblem } from '@/components/async-state';
import { Badge, RunStatusBadge, successTone } from '@/components/badge';
import { graphql } from '@/gql/gql';
import type { RunRowFragment, ScraperFieldsFragment } from '@/gql/graphql';
import { formatDuration, formatPercent, formatRelative } from '@/lib/format';
import { useCanMutate } from '@/lib/session';
import { ScraperEditor } from './scraper-editor';

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

type Health = { successRate: number | null; averageDurationSeconds: number | null; runCount: number; finishedCount: number };

export function ScraperCard({ scraper, health, lastRun }: { scraper: ScraperFieldsFragment; health: Health | undefined; lastRun: RunRowFragment | null }) {
  const canMutate = useCanMutate();
  const [editing, setEditing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  /** The run a refused "Run now" found queued or running. */
  const [inProgress, setInProgress] = useState<{ id: string; status: string } | null>(null);
  const [trigger, triggerRun] = useMutation(TriggerRunMutation);
  const [pause, pauseScraper] = useMutation(PauseMutation);
  const [resume, resumeScraper] = useMutation(ResumeMutation);
  const titleId = `scraper-${scraper.id}-title`;

  /** Runs a mutation and shows its typed error, if it returned one. */
  async function act(result: Promise<{ error?: { message: string }; outcome?: { __typename: string; message?: string } | null }>) {
    setProblem(null);
    setInProgress(null);
    const { error, outcome } = await result;
    setProblem(error?.message ?? outcome?.message ?? null);
  }

  /** Run now; a scraper already running answers with its run, and "queue after it" asks again with QUEUE. */
  async function runNow(ifActive: 'REFUSE' | 'QUEUE') {
    setProblem(null);
    setInProgress(null);
    const { error, data } = await triggerRun({ scraperId: scraper.id, ifActive });
    const outcome = data?.triggerRun;
    if (outcome?.__typename === 'RunInProgressError') setInProgress(outcome.activeRun);
    else setProblem(error?.message ?? (outcome && 'message' in outcome ? outcome.message : null));
  }

  const tone = successTone(health?.successRate);
  return (
    <article className="card scraper-card" aria-labelledby={titleId} data-scraper={scraper.slug}>
      <header className="scraper-card__head">
        <h3 id={titleId}>{scraper.name}</h3>
        <Badge tone={tone}>{health?.successRate == null ? 'no finished runs' : `${formatPercent(health.successRate)} success`}</Badge>
      </header>
      <p className="muted">
        {scraper.source.name} · {scraper.cron ? <code>{scraper.cron}</code> : 'no schedule'} ({scraper.timezone})
      </p>
      <div className="badges">
        {!scraper.enabled && <Badge tone="bad">Disabled</Badge>}
        {scraper.paused && <Badge tone="warn">Paused</Badge>}
        {scraper.enabled && !scraper.paused && <Badge tone="good">Active</Badge>}
      </div>
      <dl className="facts">
        <dt>Runs (7 days)</dt>
        <dd>{health?.runCount ?? 0}</dd>
        <dt>Average duration</dt>
        <dd>{formatDuration(health?.averageDurationSeconds)}</dd>
        <dt>Last run</dt>
        <dd data-testid="last-run">
          {lastRun ? (
            <>
              <Link to={`/runs/${lastRun.id}`}>#{lastRun.id}</Link> <RunStatusBadge status={lastRun.status} />{' '}
              <span className="muted">{formatRelative(lastRun.queuedAt)}</span>
            </>
          ) : (
            'never'
          )}
        </dd>
      </dl>
      {canMutate && (
        <div className="actions">
          <button
            type="button"
            className="button button--primary"
            disabled={trigger.fetching || !scraper.enabled}
            onClick={() => runNow('REFUSE')}
          >
            Run now
          </button>
          {scraper.paused ? (
            <button type="button" className="button" disabled={resume.fetching} onClick={() => act(resumeScraper({ scraperId: scraper.id }).then((r) => ({ error: r.error, outcome: r.data?.resumeScraper })))}>
              Resume
            </button>
          ) : (
            <button type="button" className="button" disabled={pause.fetching} onClick={() => act(pauseScraper({ scraperId: scraper.id }).then((r) => ({ error: r.error, outcome: r.data?.pauseScraper })))}>
              Pause
            </button>
          )}
          <button type="button" className="button" aria-expanded={editing} onClick={() => setEditing((v) => !v)}>
            {editing ? 'Close editor' : 'Edit schedule'}
          </button>
        </div>
      )}
      <ActionProblem problem={problem} />
      {inProgress && (
        <div className="state state--info run-in-progress" role="status" data-testid="run-in-progress">
          <span>
            {inProgress.status === 'RUNNING' ? 'Already running: ' : 'Already queued: '}
            <Link to={`/runs/${inProgress.id}`}>run #{inProgress.id}</Link>
          </span>
          {inProgress.status === 'RUNNING' && (
            <button type="button" className="button button--small" disabled={trigger.fetching} onClick={() => runNow('QUEUE')}>
              Queue a run after it
            </button>
          )}
        </div>
      )}
      {canMutate && editing && <ScraperEditor scraper={scraper} onDone={() => setEditing(false)} />}
    </article>
  );
}
