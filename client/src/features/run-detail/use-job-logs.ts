/**
 * Follows a run's log over jobLogs: replay from the start, then live. Lines are kept in one array
 * outside React state (100,000 of them must not be copied per batch); `version` tells React when it
 * grew. After an error (a dropped socket, or SUBSCRIBER_TOO_SLOW) it subscribes again with afterSeq =
 * the last seq it saw (also after the websocket reconnects), and it skips any seq it already has, so
 * nothing is shown twice or lost. The server ends the subscription once the run has ended and every
 * line was sent (the last event says how the run ended): the log is then complete, nothing resubscribes.
 */
import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { graphql } from '@/gql/gql';
import { onReconnect } from '@/lib/api-client';
import type { JobLogsSubscription as JobLogsEvent, RunStatus } from '@/gql/graphql';

const JobLogsSubscription = graphql(`
  subscription JobLogs($jobId: ID!, $afterSeq: Int) {
    jobLogs(jobId: $jobId, afterSeq: $afterSeq) {
      lastSeq
      lines {
        seq
        level
        message
        timestamp
      }
      ended {
        status
        retry {
          id
        }
      }
    }
  }
`);

/** A line as the subscription sends it. */
export type LogLine = JobLogsEvent['jobLogs']['lines'][number];
/** How the run ended, once its log is complete. */
type LogEnd = { status: RunStatus; retryId: string | null };
export type LogStream = {
  lines: LogLine[];
  lastSeq: number;
  version: number;
  state: 'connecting' | 'live' | 'resuming' | 'complete';
  ended: LogEnd | null;
  /** Lines received so far by level group, counted as they arrive (the run's own counts lag while it runs). */
  counts: LogCounts;
};
type LogCounts = { warning: number; error: number };

const RESUME_DELAY_MS = 1000;

export function useJobLogs(jobId: string): LogStream {
  const client = useClient();
  const store = useRef<{ jobId: string; lines: LogLine[]; lastSeq: number; counts: LogCounts }>(emptyStore(jobId));
  if (store.current.jobId !== jobId) store.current = emptyStore(jobId);
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<LogStream['state']>('connecting');
  const [ended, setEnded] = useState<LogEnd | null>(null);

  useEffect(() => {
    const current = store.current;
    let subscription: { unsubscribe(): void } | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let frame = 0;
    let stopped = false;
    let stopListening = () => {};
    setEnded(null);
    setState('connecting');
    // Many batches can arrive within one frame during a replay: render once per frame.
    const bump = () => {
      if (!frame) frame = requestAnimationFrame(() => ((frame = 0), setVersion((v) => v + 1)));
    };

    const start = () => {
      if (stopped) return;
      subscription = client.subscription(JobLogsSubscription, { jobId, afterSeq: current.lastSeq }).subscribe((result) => {
        if (result.error) {
          subscription?.unsubscribe();
          setState('resuming');
          retry = setTimeout(start, RESUME_DELAY_MS);
          return;
        }
        const event = result.data?.jobLogs;
        if (!event) return;
        setState('live');
        for (const line of event.lines) {
          if (line.seq > current.lastSeq) {
            current.lines.push(line);
            current.lastSeq = line.seq;
            if (line.level === 'WARNING') current.counts.warning++;
            else if (line.level === 'ERROR' || line.level === 'CRITICAL') current.counts.error++;
          }
        }
        // lastSeq also covers lines the server filtered out; resuming after it skips nothing we want.
        current.lastSeq = Math.max(current.lastSeq, event.lastSeq);
        if (event.ended) {
          // The last lines render with the end, not a frame after it: "complete" means every line is shown.
          cancelAnimationFrame(frame);
          frame = 0;
          setVersion((v) => v + 1);
          // The last event: the server completes the subscription, and a reconnect has nothing to resume.
          stopped = true;
          stopListening();
          setEnded({ status: event.ended.status, retryId: event.ended.retry?.id ?? null });
          setState('complete');
        } else {
          bump();
        }
      });
    };
    start();
    // After a reconnect graphql-ws repeats the first subscription (afterSeq of the first subscribe);
    // replace it by one that starts after the last line we have.
    stopListening = onReconnect(client, () => {
      if (stopped) return;
      subscription?.unsubscribe();
      clearTimeout(retry);
      start();
    });
    return () => {
      stopListening();
      stopped = true;
      subscription?.unsubscribe();
      clearTimeout(retry);
      cancelAnimationFrame(frame);
    };
  }, [client, jobId]);

  return { lines: store.current.lines, lastSeq: store.current.lastSeq, version, state, ended, counts: { ...store.current.counts } };
}

function emptyStore(jobId: string) {
  return { jobId, lines: [] as LogLine[], lastSeq: 0, counts: { warning: 0, error: 0 } };
}
