/** Overview: the figures a person checks first and the latest runs, all live. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { ErrorMessage, Empty, Loading } from '@/components/async-state';
import { successTone } from '@/components/badge';
import { RunsTable } from '@/components/runs-table';
import { StatCard } from '@/components/stat-card';
import { graphql } from '@/gql/gql';
import type { RunRowFragment } from '@/gql/graphql';
import { useLiveRuns } from '@/hooks/use-live-runs';
import { FINISHED } from '@/lib/run-status';

const OverviewQuery = graphql(`
  query Overview {
    health(days: 7) {
      successRate
      scraper {
        id
      }
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

  if (error) return <ErrorMessage error={error} retry={refresh} />;
  if (!data) return fetching ? <Loading /> : null;

  const healthy = data.health.filter((h) => successTone(h.successRate) === 'good').length;
  const pending = data.pendingFlags.edges.length;
  const outliers = data.quality.priceOutliers.length;

  return (
    <>
      <h1>Overview</h1>
      <section className="stat-grid" aria-label="Figures">
        <StatCard label="Pending flags" value={`${pending}${data.pendingFlags.pageInfo.hasNextPage ? '+' : ''}`} tone={pending ? 'warn' : 'good'} />
        <StatCard label="Healthy scrapers" value={`${healthy} / ${data.health.length}`} tone={healthy === data.health.length ? 'good' : 'warn'} hint="success rate ≥ 90% over 7 days" />
        <StatCard label="Products" value={data.quality.missingFields.products.toLocaleString()} />
        <StatCard label="Price outliers" value={outliers.toLocaleString()} tone={outliers ? 'warn' : 'good'} />
        <StatCard label="Running now" value={<span data-testid="running-now">{running.size}</span>} tone={running.size ? 'active' : 'neutral'} />
      </section>
      <section aria-labelledby="latest-runs">
        <h2 id="latest-runs">Latest runs</h2>
        {latest.length ? <RunsTable runs={latest} caption="Latest runs" /> : <Empty>No runs yet. Start one from the Scrapers page.</Empty>}
      </section>
    </>
  );
}
