/**
 * Run history: filters by scraper, status and trigger in the address, cursor pages, live on the
 * first page; and a search through the logs of every run, narrowed by the same scraper filter.
 */
import { useCallback, useMemo, useState } from 'react';
import { useUrlParams } from '@/hooks/use-url-params';
import { useClient, useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { ExportButtons } from '@/components/export-buttons';
import { Pager } from '@/components/pager';
import { RunsTable } from '@/components/runs-table';
import { graphql } from '@/gql/gql';
import type { RunRowFragment, RunStatus, TriggeredBy } from '@/gql/graphql';
import { useLiveRuns } from '@/hooks/use-live-runs';
import { formatRange } from '@/lib/format';
import { useCanMutate } from '@/lib/session';
import { LogSearch } from './log-search';
import { RetryRunsBar } from './retry-runs-bar';
import { usePageTitle } from '@/hooks/use-page-title';

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
      totalCount
      totalCountExact
    }
  }
`);

const RunsExportQuery = graphql(`
  query RunsExport($format: ExportFormat!, $filter: RunFilter) {
    runsExport(format: $format, filter: $filter) {
      url
    }
  }
`);

const EXPORT_FORMATS = [
  { format: 'CSV', label: 'Export CSV' },
  { format: 'NDJSON', label: 'Export NDJSON' },
] as const;

const PAGE = 25;
const STATUSES: RunStatus[] = ['QUEUED', 'RUNNING', 'SUCCESS', 'WARNING', 'ERROR', 'CANCELLED'];
const TRIGGERS: TriggeredBy[] = ['MANUAL', 'SCHEDULER', 'API'];

export function RunsPage() {
  usePageTitle('Runs');
  const [params, updateParams] = useUrlParams();
  const scraperId = params.get('scraper') || null;
  const status = (params.get('status') as RunStatus | null) || null;
  const triggeredBy = (params.get('trigger') as TriggeredBy | null) || null;
  // The cursors of the pages before this one, so that "Previous" can go back; opaque strings from the server.
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
  const client = useClient();
  const canMutate = useCanMutate();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const selection = canMutate
    ? { selectable: (run: RunRowFragment) => run.status === 'ERROR', selected, onChange: setSelected, allLabel: 'Select all failed runs on this page' }
    : undefined;
  const exportLink = async (format: 'CSV' | 'NDJSON') => {
    const result = await client.query(RunsExportQuery, { format, filter: { scraperId, status, triggeredBy } }, { requestPolicy: 'network-only' }).toPromise();
    if (!result.data) throw result.error ?? new Error('no link');
    return result.data.runsExport.url;
  };

  const setFilter = (key: string, value: string) => {
    updateParams((next) => {
      if (value) next.set(key, value);
      else next.delete(key);
      next.delete('after');
    });
    setSelected(new Set());
  };
  const older = () =>
    updateParams((next) => {
      if (data?.runs.pageInfo.endCursor) next.append('after', data.runs.pageInfo.endCursor);
    });
  const newer = () =>
    updateParams((next) => {
      next.delete('after');
      trail.slice(0, -1).forEach((cursor) => next.append('after', cursor));
    });

  return (
    <>
      <div className="title-row">
        <h1>Runs</h1>
        <ExportButtons what="the runs these filters select" formats={EXPORT_FORMATS} getLink={exportLink} />
      </div>
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
      <LogSearch scraperId={scraperId} />
      <h2 className="visually-hidden">Run history</h2>
      {error ? (
        <ErrorMessage error={error} retry={refetch} />
      ) : !data ? (
        fetching && <Loading />
      ) : runs.length === 0 ? (
        <Empty>No runs match these filters.</Empty>
      ) : (
        <>
          <p className="muted list-count" data-testid="runs-count">
            {formatRange(trail.length * PAGE, data.runs.edges.length, data.runs.totalCount, data.runs.totalCountExact, 'run')}
          </p>
          {canMutate && <RetryRunsBar selected={selected} onSelect={setSelected} />}
          <RunsTable runs={runs} caption="Run history" selection={selection} />
        </>
      )}
      <Pager
        label="Pages of runs"
        page={trail.length + 1}
        hasPrevious={trail.length > 0}
        hasNext={!!data?.runs.pageInfo.hasNextPage}
        onPrevious={newer}
        onNext={older}
      />
    </>
  );
}
