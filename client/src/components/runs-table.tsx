/** The table of runs shared by the overview, scrapers and runs pages; one row per run with its level counts. */
import { Link } from 'react-router';
import { graphql } from '@/gql/gql';
import type { RunRowFragment } from '@/gql/graphql';
import { DateTime } from '@/components/date-time';
import { formatDuration } from '@/lib/format';
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
      slug
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

/** Checkboxes on the rows a bulk action can take, and one in the header for all of those. */
export type RunSelection = {
  selectable: (run: RunRowFragment) => boolean;
  selected: ReadonlySet<string>;
  onChange: (ids: Set<string>) => void;
  /** What the header checkbox says to screen readers: "Select all failed runs on this page". */
  allLabel: string;
};

export function RunsTable({ runs, caption, selection }: { runs: RunRowFragment[]; caption: string; selection?: RunSelection }) {
  const eligible = selection ? runs.filter(selection.selectable) : [];
  const allSelected = eligible.length > 0 && eligible.every((run) => selection!.selected.has(run.id));
  const columns: Column[] = selection
    ? [
        {
          key: 'select',
          label: (
            <input
              type="checkbox"
              aria-label={selection.allLabel}
              checked={allSelected}
              disabled={eligible.length === 0}
              onChange={() => selection.onChange(allSelected ? new Set() : new Set(eligible.map((run) => run.id)))}
            />
          ),
        },
        ...COLUMNS,
      ]
    : COLUMNS;
  const toggle = (id: string) => {
    const next = new Set(selection!.selected);
    if (!next.delete(id)) next.add(id);
    selection!.onChange(next);
  };
  return (
    <StackTable columns={columns} caption={caption} testId="runs-table" className="runs-table">
      {runs.map((run) => (
        <tr key={run.id} data-run-id={run.id}>
          {selection && (
            <td className="runs-table__select" data-label={selection.selectable(run) ? 'Select' : undefined}>
              {selection.selectable(run) && (
                <input type="checkbox" aria-label={`Select run #${run.id}`} checked={selection.selected.has(run.id)} onChange={() => toggle(run.id)} />
              )}
            </td>
          )}
          <td data-label="Run">
            <Link to={`/runs/${run.id}`}>#{run.id}</Link>
          </td>
          <td data-label="Scraper" className="text-cell">
            <Link to={`/scrapers/${run.scraper.slug}`}>{run.scraper.name}</Link>
          </td>
          <td data-label="Status">
            <RunStatusBadge status={run.status} />
          </td>
          <td data-label="Trigger">{run.triggeredBy}</td>
          <td data-label="Queued"><DateTime value={run.queuedAt} /></td>
          <td data-label="Duration">{formatDuration(run.durationSeconds)}</td>
          <td className="num" data-label="Products">{run.productsFound}</td>
          <td className="num" data-label="Warnings" data-testid="warnings">{run.logCounts.warning}</td>
          <td className="num" data-label="Errors" data-testid="errors">{run.logCounts.error + run.logCounts.critical}</td>
        </tr>
      ))}
    </StackTable>
  );
}
