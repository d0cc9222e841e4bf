/** Scrapers: a health card per scraper with its controls, and the newest runs of all of them, live. */
import { useCallback, useMemo, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { RunsTable } from '@/components/runs-table';
import { graphql } from '@/gql/gql';
import type { HealthState, RunRowFragment } from '@/gql/graphql';
import { useLiveRuns } from '@/hooks/use-live-runs';
import { FINISHED } from '@/lib/run-status';
import { useCanMutate } from '@/lib/session';
import { ScraperBulkBar } from './scraper-bulk-bar';
import { ScraperCard } from './scraper-card';
import { usePageTitle } from '@/hooks/use-page-title';

/** How the filter by health (`?health=FAILING`, where the overview's figures lead) names what it shows. */
const HEALTH_FILTERS: Record<HealthState, string> = { HEALTHY: 'healthy', DEGRADED: 'degraded', FAILING: 'failing', NO_DATA: 'no data' };

const ScrapersQuery = graphql(`
  query Scrapers {
    scrapers {
      ...ScraperFields
      trends(days: 7) {
        ...ScraperSparklines
      }
    }
    health(days: 7) {
      scraper {
        id
      }
      ...ScraperHealthFields
      lastRun {
        ...RunRow
      }
    }
    runs(first: 10) {
      edges {
        node {
          ...RunRow
        }
      }
    }
  }
`);

export function ScrapersPage() {
  usePageTitle('Scrapers');
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ScrapersQuery });
  const initial = useMemo(() => data?.runs.edges.map((e) => e.node), [data]);
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  // A run that ends changes its scraper's health: the cards read it again.
  const onRun = useCallback((run: RunRowFragment) => FINISHED.has(run.status) && refetch(), [refetch]);
  const recent = useLiveRuns(initial, { limit: 10, refetch, onRun });
  const canMutate = useCanMutate();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const toggle = useCallback(
    (id: string) =>
      setSelected((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  // What the scraper form saved, when it sent the person here.
  const saved = (useLocation().state as { saved?: string } | null)?.saved;
  const [params] = useSearchParams();
  const healthParam = params.get('health');
  const healthFilter = healthParam && healthParam in HEALTH_FILTERS ? (healthParam as HealthState) : null;

  if (error) return <ErrorMessage error={error} retry={refetch} />;
  if (!data) return fetching ? <Loading /> : null;

  const lastRunOf = (scraperId: string, fromHealth: RunRowFragment | null | undefined) => {
    const live = recent.find((run) => run.scraper.id === scraperId);
    if (!live) return fromHealth ?? null;
    if (!fromHealth) return live;
    return Number(live.id) >= Number(fromHealth.id) ? live : fromHealth;
  };

  const healthOf = (scraperId: string) => data.health.find((h) => h.scraper.id === scraperId);
  const scrapers = healthFilter ? data.scrapers.filter((s) => (healthOf(s.id)?.state ?? 'NO_DATA') === healthFilter) : data.scrapers;

  return (
    <>
      <div className="title-row">
        <h1>Scrapers</h1>
        {canMutate && (
          <Link className="button button--primary" to="/scrapers/new">
            New scraper
          </Link>
        )}
      </div>
      {saved && (
        <p className="state state--info" role="status">
          {saved}
        </p>
      )}
      {healthFilter && (
        <p className="state state--info" data-testid="health-filter">
          Showing {scrapers.length} of {data.scrapers.length} scrapers: {HEALTH_FILTERS[healthFilter]} over 7 days. <Link to="/scrapers">Show all</Link>
        </p>
      )}
      {data.scrapers.length === 0 ? (
        <Empty>No scrapers yet.{canMutate ? ' Create one with New scraper.' : ''}</Empty>
      ) : (
        <>
          {canMutate && <ScraperBulkBar scrapers={scrapers} selected={selected} onSelect={setSelected} />}
          <ul className="card-grid" aria-label="Scrapers">
            {scrapers.map((scraper) => {
              const health = healthOf(scraper.id);
              return (
                <li key={scraper.id}>
                  <ScraperCard
                    scraper={scraper}
                    trends={scraper.trends}
                    health={health}
                    lastRun={lastRunOf(scraper.id, health?.lastRun)}
                    selected={selected.has(scraper.id)}
                    onToggle={canMutate ? toggle : undefined}
                  />
                </li>
              );
            })}
          </ul>
        </>
      )}
      <section aria-labelledby="recent-runs">
        <h2 id="recent-runs">Recent runs</h2>
        {recent.length ? <RunsTable runs={recent} caption="Recent runs" /> : <Empty>No runs yet. Press Run Now on a scraper.</Empty>}
      </section>
    </>
  );
}
