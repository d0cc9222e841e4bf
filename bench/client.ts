/** The benchmark's side of the API: GraphQL over HTTP, appendLogs with a prebuilt body, graphql-ws subscribers. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export type Credentials = { token?: string; apiKey?: string };

function headers(credentials: Credentials): Record<string, string> {
  const result: Record<string, string> = { 'content-type': 'application/json' };
  if (credentials.token) result.authorization = `Bearer ${credentials.token}`;
  if (credentials.apiKey) result['x-api-key'] = credentials.apiKey;
  return result;
}

/** Sends one operation; any GraphQL error fails the benchmark, since a figure built on errors means nothing. */
export async function graphql<T = any>(url: string, credentials: Credentials, query: string, variables: object = {}): Promise<T> {
  return postBody<T>(url, credentials, JSON.stringify({ query, variables }));
}

async function postBody<T>(url: string, credentials: Credentials, body: string): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: headers(credentials), body });
  const result = (await response.json()) as { data?: T; errors?: unknown[] };
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors).slice(0, 500)}`);
  return result.data;
}

const APPEND = `mutation Append($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
  appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) {
    __typename
    ... on MutationAppendLogsSuccess { data { fromSeq toSeq } }
    ... on Error { message }
  }
}`;

export type LogLine = { level: string; message: string; timestamp: string };

/**
 * A runner's log shipper reduced to its request: the lines are serialised once, and each batch
 * only splices in its own batch id, so that the load generator spends its time on the server's work.
 */
export function appender(url: string, credentials: Credentials, jobId: string) {
  const head = `{"query":${JSON.stringify(APPEND)},"variables":{"jobId":${JSON.stringify(jobId)},"batchId":"`;
  return async (batchId: string, linesJson: string): Promise<{ fromSeq: number; toSeq: number }> => {
    const data = await postBody<any>(url, credentials, `${head}${batchId}","logs":${linesJson}}}`);
    const result = data.appendLogs;
    if (result.__typename !== 'MutationAppendLogsSuccess') throw new Error(`appendLogs: ${result.__typename} ${result.message ?? ''}`);
    return result.data;
  };
}

const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'INFO', 'INFO', 'WARNING', 'INFO', 'INFO', 'ERROR'];

/** A log line of about 80 bytes, the size of a typical scraper line. */
function logMessage(index: number): string {
  return `GET https://shop.example.com/catalog?page=${index % 1000} 200 OK ${index % 997}ms items=${index % 50} ok`.padEnd(80, '.');
}

export function logLines(count: number, from = 0): LogLine[] {
  const timestamp = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => ({ level: LEVELS[(from + i) % LEVELS.length]!, message: logMessage(from + i), timestamp }));
}

export function wsClient(url: string, credentials: Credentials): Client {
  const connectionParams: Record<string, string> = {};
  if (credentials.token) connectionParams.Authorization = `Bearer ${credentials.token}`;
  if (credentials.apiKey) connectionParams['x-api-key'] = credentials.apiKey;
  return createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: false });
}
