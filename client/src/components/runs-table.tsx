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
      <table className="table" data-testid="runs-table">
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
              <td>
                <Link to={`/runs/${run.id}`}>#{run.id}</Link>
              </td>
              <td>{run.scraper.name}</td>
              <td>
                <RunStatusBadge status={run.status} />
              </td>
              <td>{run.triggeredBy}</td>
              <td>{formatDateTime(run.queuedAt)}</td>
              <td>{formatDuration(run.durationSeconds)}</td>
              <td className="num">{run.productsFound}</td>
              <td className="num" data-testid="warnings">{run.logCounts.warning}</td>
              <td className="num" data-testid="errors">{run.logCounts.error + run.logCounts.critical}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
