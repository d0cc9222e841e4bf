/**
 * Retries the selected failed runs at once. The server answers each run on its own (queued as a new
 * run, or why not: retried already, its scraper busy or disabled); the answers are listed, and the
 * runs that could not be retried stay selected.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { ActionProblem } from '@/components/async-state';
import { BulkResults, bulkSummary, type BulkOutcome } from '@/components/bulk-results';
import { graphql } from '@/gql/gql';

const RetryRunsMutation = graphql(`
  mutation RetryRuns($ids: [ID!]!) {
    retryRuns(runIds: $ids) {
      __typename
      ... on MutationRetryRunsSuccess {
        data {
          succeeded
          failed
          items {
            id
            run {
              ...RunRow
            }
            error {
              ...BulkItemError
            }
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export function RetryRunsBar({ selected, onSelect }: { selected: ReadonlySet<string>; onSelect: (ids: Set<string>) => void }) {
  const [state, retry] = useMutation(RetryRunsMutation);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function retrySelected() {
    // aria-disabled rather than disabled: the pressed button keeps the focus while the answer comes.
    if (state.fetching || selected.size === 0) return;
    setProblem(null);
    const result = await retry({ ids: [...selected] });
    const answer = result.data?.retryRuns;
    if (answer?.__typename !== 'MutationRetryRunsSuccess') {
      setOutcome(null);
      return setProblem(result.error?.message.replace(/^\[(GraphQL|Network)\] /, '') ?? (answer && 'message' in answer ? answer.message : 'No answer.'));
    }
    const { items, succeeded, failed } = answer.data;
    setOutcome({
      summary: bulkSummary('Retried', succeeded, failed, 'run'),
      items: items.map((item) => ({
        id: item.id,
        label: item.run ? (
          <>
            Run #{item.id} retried as <Link to={`/runs/${item.run.id}`}>run #{item.run.id}</Link>
          </>
        ) : (
          `Run #${item.id}`
        ),
        done: !item.error,
        reason: item.error ? item.error.message : undefined,
      })),
    });
    // The new runs arrive in the table through runUpdated; the ones refused stay selected.
    onSelect(new Set(items.filter((item) => item.error).map((item) => item.id)));
  }

  return (
    <>
      <div className="bulk-bar" role="group" aria-label="Selected runs">
        <span className="bulk-bar__count" data-testid="selected-count">
          {selected.size} failed {selected.size === 1 ? 'run' : 'runs'} selected
        </span>
        <button type="button" className="button button--primary" aria-disabled={state.fetching || selected.size === 0 || undefined} onClick={retrySelected}>
          {state.fetching ? 'Retrying…' : 'Retry selected'}
        </button>
      </div>
      <ActionProblem problem={problem} />
      <BulkResults outcome={outcome} testId="bulk-results" />
    </>
  );
}
