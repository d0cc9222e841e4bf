/** Scrapers: a health card per scraper with its controls, and the newest runs of all of them, live. */
import { useCallback, useMemo } from 'react';
import { useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { RunsTable } from '@/components/runs-table';
import { graphql } from '@/gql/gql';
import type { RunRowFragment } from '@/gql/graphql';
import { useLiveRuns } from '@/hooks/use-live-runs';
import { ScraperCard } from './scraper-card';

const ScrapersQuery = graphql(`
  query Scrapers {
    scrapers {
      ...ScraperFields
    }
    health(days: 7) {
      scraper {
        id
      }
      successRate
      averageDurationSeconds
      runCount
      finishedCount
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
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ScrapersQuery });
  const initial = useMemo(() => data?.runs.edges.map((e) => e.node), [data]);
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const recent = useLiveRuns(initial, { limit: 10, refetch });

  if (error) return <ErrorMessage error={error} retry={refetch} />;
  if (!data) return fetching ? <Loading /> : null;

  const lastRunOf = (scraperId: string, fromHealth: RunRowFragment | null | undefined) => {
    const live = recent.find((run) => run.scraper.id === scraperId);
    if (!live) return fromHealth ?? null;
    if (!fromHealth) return live;
    return Number(live.id) >= Number(fromHealth.id) ? live : fromHealth;
  };

  return (
    <>
      <h1>Scrapers</h1>
      {data.scrapers.length === 0 ? (
        <Empty>No scrapers yet. Create one with the createScraper mutation.</Empty>
      ) : (
        <ul className="card-grid" aria-label="Scrapers">
          {data.scrapers.map((scraper) => {
            const health = data.health.find((h) => h.scraper.id === scraper.id);
            return (
              <li key={scraper.id}>
                <ScraperCard scraper={scraper} health={health} lastRun={lastRunOf(scraper.id, health?.lastRun)} />
              </li>
            );
          })}
        </ul>
      )}
      <section aria-labelledby="recent-runs">
        <h2 id="recent-runs">Recent runs</h2>
        {recent.length ? <RunsTable runs={recent} caption="Recent runs" /> : <Empty>No runs yet. Press Run Now on a scraper.</Empty>}
      </section>
    </>
  );
}
