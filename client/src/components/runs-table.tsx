/** The table of runs shared by the overview, scrapers and runs pages; one row per run with its level counts. */
import { Link } from 'react-router';
import { graphql } from '@/gql/gql';
import type { RunRowFragment } from '@/gql/graphql';
import { formatDateTime, formatDuration } from '@/lib/format';
import { RunStatusBadge } from './badge';

export const RunRow = graphql(`
  fragment RunRow on Run {
    id
    status
    triggeredBy
    queuedAt
    startedAt
    completedAt
    durationSeconds
    productsFound
    errorMessage
    logCounts {
      warning
      error
      critical
    }
    scraper {
      id
      name
      slug
    }
  }
`);

export function RunsTable({ runs, caption }: { runs: RunRowFragment[]; caption: string }) {
  return (
    <div className="table-scroll">
      <table className="table table--stack" data-testid="runs-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Scraper</th>
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Queued</th>
            <th scope="col">Duration</th>
            <th scope="col" className="num">Products</th>
            <th scope="col" className="num">Warnings</th>
            <th scope="col" className="num">Errors</th>
          </tr>
        </thead>
        <tbody>
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
        </tbody>
      </table>
    </div>
  );
}
