/** Runs a quality gate holds: their products wait here until an admin approves the run (or a later run passes). */
import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ActionProblem, Empty, ErrorMessage, Loading } from '@/components/async-state';
import { RunWarningList } from '@/components/run-warnings';
import { StackTable, type Column } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import { DateTime } from '@/components/date-time';
import { formatNumber } from '@/lib/format';
import { useSubscriptionEvents } from '@/hooks/use-subscription-events';
import { useCanMutate } from '@/lib/session';
import { UNDO_SECONDS, useUndoWindow } from './use-undo-window';

const HeldRunsQuery = graphql(`
  query HeldRuns {
    heldRuns {
      id
      completedAt
      productsFound
      scraper {
        id
        name
      }
      warnings {
        ...RunWarningFields
      }
    }
  }
`);

const ApproveHeldRunMutation = graphql(`
  mutation ApproveHeldRun($runId: ID!) {
    approveRun(runId: $runId) {
      __typename
      ... on MutationApproveRunSuccess {
        data {
          id
          publication
          publishedAt
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

// Another admin's approval, or a run newly held, changes the list: read it again, nothing polls.
const HeldRunChangedSubscription = graphql(`
  subscription HeldRunChanged {
    runUpdated {
      id
      publication
    }
  }
`);

const COLUMNS: Column[] = ['Run', 'Scraper', 'Ended', { label: 'Products', numeric: true }, 'Why it is held'];

export function HeldRuns() {
  const canMutate = useCanMutate();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: HeldRunsQuery });
  const refetch = () => reexecute({ requestPolicy: 'network-only' });
  const [approving, approve] = useMutation(ApproveHeldRunMutation);
  const [problem, setProblem] = useState<string | null>(null);
  const [waiting, setWaiting] = useState<ReadonlySet<string>>(new Set());
  const { offerUndo, notice } = useUndoWindow('held-runs-undo');
  const held = data?.heldRuns;
  const onRunChanged = useCallback(
    ({ runUpdated: run }: { runUpdated: { id: string; publication: string } }) => {
      const listed = held?.some((r) => r.id === run.id) ?? false;
      if (listed !== (run.publication === 'HELD')) reexecute({ requestPolicy: 'network-only' });
    },
    [held, reexecute],
  );
  useSubscriptionEvents(HeldRunChangedSubscription, {}, onRunChanged, { refetch, paused: !data });

  async function send(runId: string) {
    setProblem(null);
    const result = await approve({ runId });
    setWaiting((w) => new Set([...w].filter((id) => id !== runId)));
    const outcome = result.data?.approveRun;
    if (result.error) return setProblem(result.error.message);
    if (outcome && 'message' in outcome) return setProblem(outcome.message);
    refetch();
  }

  // Publishing cannot be taken back on the server, so the approval waits out the undo window before it is sent.
  function approveRun(runId: string) {
    setWaiting((w) => new Set([...w, runId]));
    offerUndo({
      message: `Run #${runId} will be approved and published in ${UNDO_SECONDS} s.`,
      undo: () => setWaiting((w) => new Set([...w].filter((id) => id !== runId))),
      commit: () => void send(runId),
    });
  }

  return (
    <section aria-labelledby="held-runs-title" data-testid="held-runs">
      <h2 id="held-runs-title">Held runs</h2>
      <p className="muted">A run that broke a quality gate is stored but not published until it is approved, or a later run passes.</p>
      {notice}
      <ActionProblem problem={problem} />
      {error ? (
        <ErrorMessage error={error} retry={refetch} />
      ) : !data ? (
        fetching && <Loading />
      ) : data.heldRuns.length === 0 ? (
        <Empty>No run is held.</Empty>
      ) : (
        <StackTable columns={canMutate ? [...COLUMNS, 'Actions'] : COLUMNS} caption="Held runs">
          {data.heldRuns.map((run) => (
            <tr key={run.id} data-run-id={run.id}>
              <td data-label="Run">
                <Link to={`/runs/${run.id}`}>#{run.id}</Link>
              </td>
              <td data-label="Scraper" className="text-cell">{run.scraper.name}</td>
              <td data-label="Ended"><DateTime value={run.completedAt} /></td>
              <td className="num" data-label="Products">
                {formatNumber(run.productsFound)}
              </td>
              <td data-label="Why it is held" className="text-cell">
                <RunWarningList warnings={run.warnings.filter((w) => w.reason === 'QUALITY_GATE')} />
              </td>
              {canMutate && (
                <td data-label="Actions">
                  <button type="button" className="button button--small button--primary" disabled={approving.fetching || waiting.has(run.id)} onClick={() => approveRun(run.id)}>
                    {waiting.has(run.id) ? 'Approving…' : 'Approve run'}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </StackTable>
      )}
    </section>
  );
}
