/** One run: its facts and verdict (warnings, quality, publication), live through runUpdated, and its live log. */
import { useEffect, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { useClient, useMutation, useQuery } from 'urql';
import { ActionProblem, ErrorMessage, Loading } from '@/components/async-state';
import { PublicationBadge, RunStatusBadge } from '@/components/badge';
import { RunWarningTable } from '@/components/run-warnings';
import { graphql } from '@/gql/gql';
import { onReconnect } from '@/lib/api-client';
import type { RunDetailFieldsFragment } from '@/gql/graphql';
import { DateTime } from '@/components/date-time';
import { formatCount, formatDuration, formatNumber } from '@/lib/format';
import { useCanMutate } from '@/lib/session';
import { LogViewer } from './log-viewer';
import { RunQualitySummary } from './run-quality';
import { useJobLogs } from './use-job-logs';
import { usePageTitle } from '@/hooks/use-page-title';

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
    requiredLabels
    waitingFor
    scraper {
      id
      name
    }
    expectedProducts
    warnings {
      ...RunWarningFields
    }
    publication
    publishedAt
    quality {
      ...RunQualityFields
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

const ApproveRunMutation = graphql(`
  mutation ApproveRun($runId: ID!) {
    approveRun(runId: $runId) {
      __typename
      ... on MutationApproveRunSuccess {
        data {
          ...RunDetailFields
        }
      }
      ... on Error {
        message
      }
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
  // `/runs/42#L17`: the line a log search or a copied link points at.
  const lineMatch = /^#L(\d+)$/.exec(useLocation().hash);
  const targetSeq = lineMatch ? Number(lineMatch[1]) : null;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: RunDetailQuery, variables: { id } });
  usePageTitle(`Run #${id}`, data?.run?.scraper.name);
  const [live, setLive] = useState<RunDetailFieldsFragment | null>(null);
  const client = useClient();
  const stream = useJobLogs(id);
  const canMutate = useCanMutate();
  const [cancelState, cancelRun] = useMutation(CancelRunMutation);
  const [approveState, approveRun] = useMutation(ApproveRunMutation);
  const [problem, setProblem] = useState<string | null>(null);

  async function approve(runId: string) {
    setProblem(null);
    const result = await approveRun({ runId });
    const outcome = result.data?.approveRun;
    if (outcome?.__typename === 'MutationApproveRunSuccess') setLive(outcome.data);
    else setProblem(result.error?.message ?? (outcome && 'message' in outcome ? outcome.message : null));
  }

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
  if (!run)
    return (
      <>
        <h1>Run #{id}</h1>
        <ErrorMessage error={`There is no run #${id}.`} />
      </>
    );
  const cancellable = run.status === 'QUEUED' || run.status === 'RUNNING';
  // The run is re-read only when its state changes, but the log streams every batch: each count is the
  // larger of the two, so the facts follow the log while the run runs and keep the stored totals after.
  const logFacts = {
    lines: Math.max(run.lastSeq, stream.lastSeq),
    warning: Math.max(run.logCounts.warning, stream.counts.warning),
    error: Math.max(run.logCounts.error + run.logCounts.critical, stream.counts.error),
  };

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
        {canMutate && run.publication === 'HELD' && (
          <button type="button" className="button button--primary" disabled={approveState.fetching} onClick={() => approve(run.id)}>
            Approve run
          </button>
        )}
      </div>
      <ActionProblem problem={problem} />
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
        <dd><DateTime value={run.queuedAt} /></dd>
        <dt>Started</dt>
        <dd><DateTime value={run.startedAt} /></dd>
        <dt>Completed</dt>
        <dd><DateTime value={run.completedAt} /></dd>
        <dt>Duration</dt>
        <dd>{formatDuration(run.durationSeconds)}</dd>
        <dt>Runner</dt>
        <dd data-testid="run-runner">
          {run.runner?.name ?? (run.waitingFor ? <span className="muted">{run.waitingFor}</span> : '—')}
          {run.requiredLabels.length > 0 && <span className="muted cell-line">labels {run.requiredLabels.join(', ')}</span>}
        </dd>
        <dt>Products</dt>
        <dd>
          {formatNumber(run.productsProcessed)} processed of {formatNumber(run.productsFound)} found, {formatCount(run.flagsCreated, 'flag')}
          {run.expectedProducts != null && <span className="muted cell-line">about {formatNumber(run.expectedProducts)} expected</span>}
        </dd>
        <dt>Publication</dt>
        <dd data-testid="publication">
          <PublicationBadge publication={run.publication} />
          {run.publishedAt && <span className="muted"> <DateTime value={run.publishedAt} /></span>}
          {run.publication === 'HELD' && <span className="cell-line">A quality gate holds its products until an admin approves the run or a later run passes.</span>}
        </dd>
        <dt>Log lines</dt>
        <dd data-testid="log-line-facts">
          {formatNumber(logFacts.lines)} ({formatCount(logFacts.warning, 'warning')}, {formatCount(logFacts.error, 'error')})
        </dd>
      </dl>
      {run.warnings.length > 0 && (
        <section aria-labelledby="run-warnings-title">
          <h2 id="run-warnings-title">Why it ended WARNING</h2>
          <RunWarningTable warnings={run.warnings} />
        </section>
      )}
      {run.quality && <RunQualitySummary quality={run.quality} />}
      <LogViewer stream={stream} runId={run.id} targetSeq={targetSeq} />
    </>
  );
}
