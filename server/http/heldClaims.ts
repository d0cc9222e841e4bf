/**
 * A runner's claimRun wait, held by the HTTP exchange rather than inside the GraphQL execution.
 * An idle fleet is thousands of open claims: held inside the execution, each kept the whole
 * request pipeline alive (about 30 KB of small objects that every full GC marks again). Held
 * here, the execution ends at once with the answer a wait that runs out gets (claimRun: null), and
 * the exchange keeps only that answer, its place in line and Node's request and response:
 * - when the wait runs out (or the server shuts down), that answer is sent;
 * - when the runner is woken, the same operation runs again for it (its credentials looked up again)
 *   and looks for the run; finding none (another runner was quicker) it is held again, with the
 *   rest of its wait;
 * - when the runner hangs up, its place is given up and its presence ends at once.
 * The resolver decides whether a claim is held (an HTTP request whose operation is the claim alone);
 * anything else waits inside its execution, as over websocket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLParams } from 'graphql-yoga';
import type { ClaimWait } from '../runs/runOperations.ts';

export type HeldClaim = ClaimWait & {
  runnerId: number;
  /** The operation, to run again when the runner is woken. */
  params: GraphQLParams;
};

/** Handed to an HTTP request's execution: the resolver leaves a claim to hold here, or says it claimed. */
export type ClaimHolder = { held?: HeldClaim; claimed?: boolean };

/** The most of an operation (its text, variables and extensions) held for a wait: a runner's claim is a few hundred characters. */
const MAX_HELD_OPERATION_CHARS = 16 * 1024;

/** Whether the exchange may keep this operation for a wait (a larger one waits inside its execution). */
export function mayHold(params: GraphQLParams): boolean {
  const size = (params.query?.length ?? 0) + JSON.stringify(params.variables ?? null).length + JSON.stringify(params.extensions ?? null).length;
  return size <= MAX_HELD_OPERATION_CHARS;
}

/** What an execution answered, kept as plain values while its claim is held. */
export type KeptAnswer = { status: number; headers: Array<[string, string]>; body: string };

export async function keepAnswer(response: Response): Promise<KeptAnswer> {
  return { status: response.status, headers: [...response.headers], body: await response.text() };
}

export function sendKeptAnswer(res: ServerResponse, answer: KeptAnswer): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(answer.status, answer.headers.flat());
  res.end(answer.body);
}

/**
 * The execution read the body whole; the fetch-API request that read it stays attached to Node's
 * request through its stream listeners, and would live as long as the wait.
 */
export function releaseReadBody(req: IncomingMessage): void {
  for (const event of ['data', 'end', 'readable'] as const) req.removeAllListeners(event);
}

/** The client went away before its answer. */
export const hungUp = (res: ServerResponse) => !res.writableEnded && (res.destroyed || res.closed);

/** The body's own framing, and the connection's. */
const NOT_CARRIED = new Set(['content-length', 'transfer-encoding', 'host', 'connection', 'keep-alive', 'upgrade', 'expect']);

/** The request that runs the held operation again: its own headers, with its parsed body sent anew. */
export function continuationOf(req: IncomingMessage, params: GraphQLParams): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || NOT_CARRIED.has(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  headers.set('content-type', 'application/json');
  const { query, variables, operationName, extensions } = params;
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/graphql'}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables, operationName, extensions }),
  });
}
