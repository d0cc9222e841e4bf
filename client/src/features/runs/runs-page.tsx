/** Run history: filters by scraper, status and trigger in the address, cursor pages, live on the first page. */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { RunsTable } from '@/components/runs-table';
import { graphql } from '@/gql/gql';
import type { RunRowFragment, RunStatus, TriggeredBy } from '@/gql/graphql';
import { useLiveRuns } from '@/hooks/use-live-runs';

const RunsQuery = graphql(`
  query Runs($filter: RunFilter, $first: Int, $after: String) {
    scrapers {
      id
      name
    }
    runs(filter: $filter, first: $first, after: $after) {
      edges {
        node {
          ...RunRow
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const PAGE = 25;
const STATUSES: RunStatus[] = ['QUEUED', 'RUNNING', 'SUCCESS', 'WARNING', 'ERROR', 'CANCELLED'];
const TRIGGERS: TriggeredBy[] = ['MANUAL', 'SCHEDULER', 'API'];

export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const scraperId = params.get('scraper') || null;
  const status = (params.get('status') as RunStatus | null) || null;
  const triggeredBy = (params.get('trigger') as TriggeredBy | null) || null;
  // The cursors of the pages before this one, so that "Newer" can go back; opaque strings from the server.
  const trail = useMemo(() => params.getAll('after'), [params]);
  const after = trail.at(-1) ?? null;

  const [{ data, fetching, error }, reexecute] = useQuery({
    query: RunsQuery,
    variables: { filter: { scraperId, status, triggeredBy }, first: PAGE, after },
  });

  const accept = useCallback(
    (run: RunRowFragment) =>
      (!scraperId || run.scraper.id === scraperId) && (!status || run.status === status) && (!triggeredBy || run.triggeredBy === triggeredBy),
    [scraperId, status, triggeredBy],
  );
  const initial = useMemo(() => data?.runs.edges.map((e) => e.node), [data]);
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const runs = useLiveRuns(initial, { accept, paused: after !== null, refetch, limit: PAGE });

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete('after');
    setParams(next);
  };
  const older = () => {
    const next = new URLSearchParams(params);
    if (data?.runs.pageInfo.endCursor) next.append('after', data.runs.pageInfo.endCursor);
    setParams(next);
  };
  const newer = () => {
    const next = new URLSearchParams(params);
    next.delete('after');
    trail.slice(0, -1).forEach((cursor) => next.append('after', cursor));
    setParams(next);
  };

  return (
    <>
      <h1>Runs</h1>
      <form className="filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <label>
          Scraper
          <select value={scraperId ?? ''} onChange={(e) => setFilter('scraper', e.target.value)}>
            <option value="">All scrapers</option>
            {data?.scrapers.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Trigger
          <select value={triggeredBy ?? ''} onChange={(e) => setFilter('trigger', e.target.value)}>
            <option value="">Any trigger</option>
            {TRIGGERS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
      </form>
      {error ? (
        <ErrorMessage error={error} retry={refetch} />
      ) : !data ? (
        fetching && <Loading />
      ) : runs.length === 0 ? (
        <Empty>No runs match these filters.</Empty>
      ) : (
        <RunsTable runs={runs} caption="Run history" />
      )}
      <nav className="pager" aria-label="Pages of runs">
        <button type="button" className="button" onClick={newer} disabled={trail.length === 0}>
          ← Newer
        </button>
        <span className="muted">Page {trail.length + 1}</span>
        <button type="button" className="button" onClick={older} disabled={!data?.runs.pageInfo.hasNextPage}>
          Older →
        </button>
      </nav>
    </>
  );
}
