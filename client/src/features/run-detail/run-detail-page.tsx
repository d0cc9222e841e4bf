/** One run: its facts, live through runUpdated, and its live log. */
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useClient, useMutation, useQuery } from 'urql';
import { ErrorMessage, Loading } from '@/components/async-state';
import { RunStatusBadge } from '@/components/badge';
import { graphql } from '@/gql/gql';
import { onReconnect } from '@/lib/api-client';
import type { RunDetailFieldsFragment } from '@/gql/graphql';
import { formatCount, formatDateTime, formatDuration } from '@/lib/format';
import { useCanMutate } from '@/lib/session';
import { LogViewer } from './log-viewer';
import { useJobLogs } from './use-job-logs';

// Defined for the query and the subscription below, which spread it (codegen reads it from here).
graphql(`
  fragment RunDetailFields on Run {
    id
    status
    triggeredBy
    queuedAt
    startedAt
    completedAt
    durationSeconds
    retryCount
    productsFound
    productsProcessed
    flagsCreated
    errorType
    errorMessage
    lastSeq
    logCounts {
      debug
      info
      warning
      error
      critical
    }
    runner {
      name
    }
    scraper {
      id
      name
    }
  }
`);

const RunDetailQuery = graphql(`
  query RunDetail($id: ID!) {
    run(id: $id) {
      ...RunDetailFields
    }
  }
`);

const RunDetailUpdated = graphql(`
  subscription RunDetailUpdated($jobId: ID!) {
    runUpdated(jobId: $jobId) {
      ...RunDetailFields
    }
  }
`);

const CancelRunMutation = graphql(`
  mutation CancelRun($jobId: ID!) {
    cancelRun(jobId: $jobId) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

export function RunDetailPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: RunDetailQuery, variables: { id } });
  const [live, setLive] = useState<RunDetailFieldsFragment | null>(null);
  const client = useClient();
  const stream = useJobLogs(id);
  const canMutate = useCanMutate();
  const [cancelState, cancelRun] = useMutation(CancelRunMutation);

  // A fresh read of the run replaces what the subscription said before it.
  useEffect(() => setLive(null), [data]);

  useEffect(() => {
    const subscription = client.subscription(RunDetailUpdated, { jobId: id }).subscribe((result) => {
      if (result.data) setLive(result.data.runUpdated);
    });
    // Changes while the websocket was down are read back from the server.
    const stopListening = onReconnect(client, () => reexecute({ requestPolicy: 'network-only' }));
    return () => {
      stopListening();
      subscription.unsubscribe();
    };
  }, [client, id, reexecute]);

  if (error) return <ErrorMessage error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />;
  if (!data) return fetching ? <Loading /> : null;
  const run = live ?? data.run;
  if (!run) return <ErrorMessage error={`There is no run #${id}.`} />;
  const cancellable = run.status === 'QUEUED' || run.status === 'RUNNING';

  return (
    <>
      <p className="breadcrumb">
        <Link to="/runs">Runs</Link> / #{run.id}
      </p>
      <div className="title-row">
        <h1>
          {run.scraper.name} · run #{run.id}
        </h1>
        <span data-testid="run-status">
          <RunStatusBadge status={run.status} />
        </span>
        {canMutate && cancellable && (
          <button type="button" className="button" disabled={cancelState.fetching} onClick={() => cancelRun({ jobId: run.id })}>
            Cancel run
          </button>
        )}
      </div>
      {run.errorMessage && (
        <p className="state state--error">
          {run.errorType ? `${run.errorType}: ` : ''}
          {run.errorMessage}
        </p>
      )}
      <dl className="facts facts--wide">
        <dt>Trigger</dt>
        <dd>{run.triggeredBy}</dd>
        <dt>Queued</dt>
        <dd>{formatDateTime(run.queuedAt)}</dd>
        <dt>Started</dt>
        <dd>{formatDateTime(run.startedAt)}</dd>
        <dt>Completed</dt>
        <dd>{formatDateTime(run.completedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(run.durationSeconds)}</dd>
        <dt>Runner</dt>
        <dd>{run.runner?.name ?? '—'}</dd>
        <dt>Products</dt>
        <dd>
          {run.productsProcessed} processed of {run.productsFound} found, {run.flagsCreated} flags
        </dd>
        <dt>Log lines</dt>
        <dd>
          {run.lastSeq} ({formatCount(run.logCounts.warning, 'warning')}, {formatCount(run.logCounts.error + run.logCounts.critical, 'error')})
        </dd>
      </dl>
      <LogViewer stream={stream} runId={run.id} />
    </>
  );
}
