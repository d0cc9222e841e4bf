/**
 * What tests need of the log pipeline: its documents, and a shipper that behaves like a
 * runner's (every batch has its own batchId and is retried with that same id until the server answers).
 */
import type { GraphQLTestClient } from './graphql.ts';

export const APPEND_LOGS = /* GraphQL */ `
  mutation Append($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
    appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) {
      __typename
      ... on MutationAppendLogsSuccess { data { fromSeq toSeq duplicate } }
      ... on Error { message }
      ... on ValidationError { issues { path message } }
      ... on BatchTooLargeError { limit received }
      ... on NotFoundError { entity id }
      ... on RunStateError { runId status }
    }
  }`;

export const JOB_LOGS = /* GraphQL */ `
  subscription Logs($jobId: ID!, $afterSeq: Int) {
    jobLogs(jobId: $jobId, afterSeq: $afterSeq) { jobId lastSeq lines { seq message } }
  }`;

/** The live subscription with a level filter, and each line's level. */
export const JOB_LOGS_BY_LEVEL = /* GraphQL */ `
  subscription Logs($jobId: ID!, $afterSeq: Int, $minLevel: LogLevel) {
    jobLogs(jobId: $jobId, afterSeq: $afterSeq, minLevel: $minLevel) { jobId lastSeq lines { seq level message } }
  }`;

export type ShippedBatch = { batchId: string; fromSeq: number; toSeq: number; duplicate: boolean; attempts: number };

export function batchLines(batch: number, size: number, padding = 0) {
  const pad = 'x'.repeat(padding);
  return Array.from({ length: size }, (_, i) => ({ level: 'INFO', message: `batch ${batch} line ${i}${pad}` }));
}

/**
 * Sends one batch until the server stores it or says it was stored before. Network failures and
 * server errors (a database or server restart) are retried with backoff; an error answer a retry
 * cannot fix fails the test.
 */
export async function shipBatch(
  client: () => GraphQLTestClient,
  jobId: string,
  batchId: string,
  logs: Array<{ level: string; message: string }>,
  options: { timeoutMs?: number; onRetry?: (problem: unknown) => void } = {},
): Promise<ShippedBatch> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastProblem: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await client().request(APPEND_LOGS, { jobId, batchId, logs });
      const result = response.data?.appendLogs;
      if (result?.__typename === 'MutationAppendLogsSuccess') return { batchId, ...result.data, attempts: attempt };
      if (result) throw new Error(`appendLogs refused the batch: ${JSON.stringify(result)}`);
      lastProblem = response.errors;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('appendLogs refused')) throw error;
      lastProblem = error;
    }
    if (Date.now() > deadline) throw new Error(`batch ${batchId} not stored in time`, { cause: lastProblem });
    options.onRetry?.(lastProblem);
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * attempt)));
  }
}

/** The seqs and messages a subscription delivered, flattened from jobLogs events. */
export function deliveredLines(events: Array<{ jobLogs: { lines: Array<{ seq: number; message: string }> } }>) {
  return events.flatMap((e) => e.jobLogs.lines);
}
