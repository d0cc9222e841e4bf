/** Overview: the figures a person checks first, scrapers by health, open incidents and the latest runs, all live. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { ErrorMessage, Empty, Loading } from '@/components/async-state';
import { RunsTable } from '@/components/runs-table';
import { StatCard } from '@/components/stat-card';
import { graphql } from '@/gql/gql';
import type { RunRowFragment } from '@/gql/graphql';
import { useLiveRuns } from '@/hooks/use-live-runs';
import { FINISHED } from '@/lib/run-status';
import { OpenIncidents } from './open-incidents';
import { useRefetchOnFlagsChange } from '@/hooks/use-refetch-on-flags-change';
import { usePageTitle } from '@/hooks/use-page-title';
import { formatNumber } from '@/lib/format';

const OverviewQuery = graphql(`
  query Overview {
    healthOverview(days: 7) {
      total
      healthy
      degraded
      failing
      noData
    }
    quality {
      missingFields {
        products
      }
      priceOutliers(limit: 500) {
        price
      }
    }
    pendingFlags: flags(status: PENDING, first: 200) {
      edges {
        node {
          id
        }
      }
      pageInfo {
        hasNextPage
      }
    }
    running: runs(filter: { status: RUNNING }, first: 100) {
      edges {
        node {
          id
        }
      }
    }
    latest: runs(first: 10) {
      edges {
        node {
          ...RunRow
        }
      }
    }
  }
`);

const LATEST = 10;

export function OverviewPage() {
  usePageTitle('Overview');
  const [{ data, fetching, error }, reexecute] = useQuery({ query: OverviewQuery });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const [running, setRunning] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setRunning(new Set(data?.running.edges.map((e) => e.node.id))), [data]);
  const onRun = useCallback(
    (run: RunRowFragment) => {
      setRunning((current) => {
        if (run.status === 'RUNNING' === current.has(run.id)) return current;
        const next = new Set(current);
        if (run.status === 'RUNNING') next.add(run.id);
        else next.delete(run.id);
        return next;
      });
      // Figures that depend on finished runs (products, flags, health) are read again when one finishes.
      if (FINISHED.has(run.status)) refresh();
    },
    [refresh],
  );
  const latestInitial = useMemo(() => data?.latest.edges.map((e) => e.node), [data]);
  const latest = useLiveRuns(latestInitial, { limit: LATEST, onRun, refetch: refresh });
  useRefetchOnFlagsChange(refresh, !data);

  if (error) return <ErrorMessage error={error} retry={refresh} />;
  if (!data) return fetching ? <Loading /> : null;

  const health = data.healthOverview;
  const pending = data.pendingFlags.edges.length;
  const outliers = data.quality.priceOutliers.length;

  return (
    <>
      <h1>Overview</h1>
      <section className="stat-grid" aria-label="Figures">
        <StatCard to="/cleanup" label="Pending flags" value={`${pending}${data.pendingFlags.pageInfo.hasNextPage ? '+' : ''}`} tone={pending ? 'warn' : 'good'} />
        <StatCard to="/products" label="Products" value={formatNumber(data.quality.missingFields.products)} />
        <StatCard to="/quality#outliers" label="Price outliers" value={formatNumber(outliers)} tone={outliers ? 'warn' : 'good'} />
        <StatCard to="/runs?status=RUNNING" label="Running now" value={<span data-testid="running-now">{running.size}</span>} tone={running.size ? 'active' : 'neutral'} />
      </section>
      <section aria-labelledby="scraper-health">
        <h2 id="scraper-health">Scrapers by health (7 days)</h2>
        <div className="stat-grid" data-testid="health-overview">
          <StatCard to="/scrapers?health=HEALTHY" label="Healthy" value={<span data-testid="health-healthy">{health.healthy}</span>} tone={health.healthy === health.total ? 'good' : 'neutral'} hint={`of ${health.total} scrapers`} />
          <StatCard to="/scrapers?health=DEGRADED" label="Degraded" value={<span data-testid="health-degraded">{health.degraded}</span>} tone={health.degraded ? 'warn' : 'neutral'} hint="latest run WARNING or success < 90%" />
          <StatCard to="/scrapers?health=FAILING" label="Failing" value={<span data-testid="health-failing">{health.failing}</span>} tone={health.failing ? 'bad' : 'neutral'} hint="latest run ERROR or ≥ 50% of runs ERROR" />
          <StatCard to="/scrapers?health=NO_DATA" label="No data" value={<span data-testid="health-no-data">{health.noData}</span>} hint="no ended run in 7 days" />
        </div>
      </section>
      <OpenIncidents />
      <section aria-labelledby="latest-runs">
        <h2 id="latest-runs">Latest runs</h2>
        {latest.length ? <RunsTable runs={latest} caption="Latest runs" /> : <Empty>No runs yet. Start one from the Scrapers page.</Empty>}
      </section>
    </>
  );
}
