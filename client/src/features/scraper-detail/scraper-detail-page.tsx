/**
 * One scraper (`/scrapers/:slug`): its schedule with the next fire times, its trends over 7, 30 or
 * 90 days, and its recent runs, live through runUpdated (a run that ends reads the trends again, a
 * queued one the schedule; nothing polls).
 */
import { useCallback, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { Badge } from '@/components/badge';
import { RunsTable } from '@/components/runs-table';
import { graphql } from '@/gql/gql';
import type { RunRowFragment } from '@/gql/graphql';
import { useLiveRuns } from '@/hooks/use-live-runs';
import { FINISHED } from '@/lib/run-status';
import { useCanMutate } from '@/lib/session';
import { ScheduleFacts } from './schedule-facts';
import { ScraperTrendsSection } from './scraper-trends';
import { usePageTitle } from '@/hooks/use-page-title';

const ScraperDetailQuery = graphql(`
  query ScraperDetail($slug: String!) {
    scraper(slug: $slug) {
      id
      slug
      name
      enabled
      paused
      source {
        id
        name
      }
      runs(first: 20) {
        edges {
          node {
            ...RunRow
          }
        }
      }
    }
    schedulerStatus {
      scrapers {
        scraper {
          id
        }
        ...ScheduleFacts
      }
    }
  }
`);

const RECENT = 20;

export function ScraperDetailPage() {
  const { slug = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ScraperDetailQuery, variables: { slug } });
  usePageTitle(data?.scraper?.name ?? slug, 'Scrapers');
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  // Bumped when one of its runs ends: the trends are read again.
  const [ended, setEnded] = useState(0);
  const scraper = data?.scraper;
  const initial = useMemo(() => scraper?.runs.edges.map((e) => e.node), [scraper]);
  const onRun = useCallback(
    (run: RunRowFragment) => {
      if (FINISHED.has(run.status)) setEnded((n) => n + 1);
      // A fire time that queued a run moves the next fire times on.
      else if (run.status === 'QUEUED' && run.triggeredBy === 'SCHEDULER') refetch();
    },
    [refetch],
  );
  const runs = useLiveRuns(initial, { scraperId: scraper?.id ?? null, limit: RECENT, refetch, onRun });
  const canMutate = useCanMutate();

  if (error) return <ErrorMessage error={error} retry={refetch} />;
  if (!data) return fetching ? <Loading /> : null;
  if (!scraper) return <ErrorMessage error={`There is no scraper "${slug}".`} />;
  const schedule = data.schedulerStatus.scrapers.find((s) => s.scraper.id === scraper.id);

  return (
    <>
      <p className="breadcrumb">
        <Link to="/scrapers">Scrapers</Link> / {scraper.name}
      </p>
      <div className="title-row">
        <h1>{scraper.name}</h1>
        {!scraper.enabled ? <Badge tone="bad">Disabled</Badge> : scraper.paused ? <Badge tone="warn">Paused</Badge> : <Badge tone="good">Active</Badge>}
        <span className="title-row__end actions">
          <Link className="button" to={`/runs?scraper=${scraper.id}`}>
            All its runs
          </Link>
          {canMutate && (
            <Link className="button" to={`/scrapers/${scraper.slug}/edit`}>
              Edit definition
            </Link>
          )}
        </span>
      </div>
      <p className="muted">Source: {scraper.source.name}</p>
      {schedule && <ScheduleFacts schedule={schedule} />}
      <ScraperTrendsSection scraperId={scraper.id} refresh={ended} />
      <section aria-labelledby="scraper-runs">
        <h2 id="scraper-runs">Recent runs</h2>
        {runs.length ? <RunsTable runs={runs} caption={`Recent runs of ${scraper.name}`} /> : <Empty>No runs yet.</Empty>}
      </section>
    </>
  );
}
