/** The table of runs shared by the overview, scrapers and runs pages; one row per run with its level counts. */
import { Link } from 'react-router';
import { graphql } from '@/gql/gql';
import type { RunRowFragment } from '@/gql/graphql';
import { formatDateTime, formatDuration } from '@/lib/format';
import { RunStatusBadge } from './badge';
import { StackTable, type Column } from './stack-table';

// Spread by every query that lists runs (codegen reads it from here).
graphql(`
  fragment RunRow on Run {
    id
    status
    triggeredBy
    queuedAt
    durationSeconds
    productsFound
    logCounts {
      warning
      error
      critical
    }
    scraper {
      id
      name
    }
  }
`);

const COLUMNS: Column[] = [
  'Run',
  'Scraper',
  'Status',
  'Trigger',
  'Queued',
  'Duration',
  { label: 'Products', numeric: true },
  { label: 'Warnings', numeric: true },
  { label: 'Errors', numeric: true },
];

export function RunsTable({ runs, caption }: { runs: RunRowFragment[]; caption: string }) {
  return (
    <StackTable columns={COLUMNS} caption={caption} testId="runs-table">
      {runs.map((run) => (
        <tr key={run.id} data-run-id={run.id}>
          <td data-label="Run">
            <Link to={`/runs/${run.id}`}>#{run.id}</Link>
          </td>
          <td data-label="Scraper">{run.scraper.name}</td>
          <td data-label="Status">
            <RunStatusBadge status={run.status} />
          </td>
          <td data-label="Trigger">{run.triggeredBy}</td>
          <td data-label="Queued">{formatDateTime(run.queuedAt)}</td>
          <td data-label="Duration">{formatDuration(run.durationSeconds)}</td>
          <td className="num" data-label="Products">{run.productsFound}</td>
          <td className="num" data-label="Warnings" data-testid="warnings">{run.logCounts.warning}</td>
          <td className="num" data-label="Errors" data-testid="errors">{run.logCounts.error + run.logCounts.critical}</td>
        </tr>
      ))}
    </StackTable>
  );
}
