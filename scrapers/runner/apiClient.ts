/**
 * The runner's side of the GraphQL API, over fetch with the x-api-key header, and over one websocket
 * (graphql-ws) for its waits for work: its operations are the graphql() documents below, typed by
 * codegen from schema.graphql (`npm run codegen`). Every failure is sorted into one the runner can
 * wait out (TransientApiError: the API or its database is down or slow) or one that retrying cannot
 * fix (RejectedError: the API answered with a typed error).
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { graphql } from './gql/gql.ts';
import type { ClaimMutation, LogLineInput, ProductInput, RunResultInput, RunStatus, TypedDocumentString } from './gql/graphql.ts';

export class TransientApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientApiError';
  }
}

/** The websocket could not be opened (refused, or not let through): the wait is held over HTTP instead. */
export class WebsocketUnavailableError extends TransientApiError {
  constructor(message: string) {
    super(message);
    this.name = 'WebsocketUnavailableError';
  }
}

export class RejectedError extends Error {
  readonly typename: string;
  readonly details: Record<string, unknown>;

  constructor(
    typename: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(`${typename}: ${message}`);
    this.typename = typename;
    this.details = details;
    this.name = 'RejectedError';
  }
}

/** What the runner reads from a refusal; spread by every document below. */
graphql(`
  fragment Refusal on Error {
    message
    ... on ValidationError {
      issues {
        path
        message
      }
    }
    ... on RunStateError {
      status
    }
  }
`);

graphql(`
  fragment ClaimedRun on Run {
    id
    retryCount
    scraper {
      id
      slug
      name
      config
      source {
        name
        url
      }
    }
  }
`);

/** Waits on the server for a run (held until one is queued, or null when the wait ends). */
const ClaimWaitingDocument = graphql(`
  mutation ClaimWaiting($waitSeconds: Int!, $labels: [String!]) {
    claimRun(waitSeconds: $waitSeconds, labels: $labels) {
      __typename
      ...Refusal
      ... on RunnerLabelsNotGrantedError {
        labels
      }
      ... on MutationClaimRunSuccess {
        data {
          ...ClaimedRun
        }
      }
    }
  }
`);

/** Waits on the server, costing it nothing meanwhile, until a run this runner may claim may be queued. */
const WorkAvailableDocument = graphql(`
  subscription WorkAvailable($labels: [String!]) {
    workAvailable(labels: $labels) {
      signalledAt
    }
  }
`);

/** For a server that cannot hold a claim: answered at once, so the runner polls. */
const ClaimDocument = graphql(`
  mutation Claim {
    claimRun {
      __typename
      ...Refusal
      ... on MutationClaimRunSuccess {
        data {
          ...ClaimedRun
        }
      }
    }
  }
`);

const BeatDocument = graphql(`
  mutation Beat($jobId: ID!) {
    heartbeat(jobId: $jobId) {
      __typename
      ...Refusal
      ... on MutationHeartbeatSuccess {
        data {
          status
        }
      }
    }
  }
`);

const AppendDocument = graphql(`
  mutation Append($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
    appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) {
      __typename
      ...Refusal
      ... on MutationAppendLogsSuccess {
        data {
          fromSeq
          toSeq
          duplicate
        }
      }
    }
  }
`);

const ReportDocument = graphql(`
  mutation Report($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {
    reportProducts(jobId: $jobId, batchId: $batchId, products: $products) {
      __typename
      ...Refusal
      ... on MutationReportProductsSuccess {
        data {
          stored
          flagsCreated
        }
      }
    }
  }
`);

const CompleteDocument = graphql(`
  mutation Complete($jobId: ID!, $result: RunResultInput!) {
    completeRun(jobId: $jobId, result: $result) {
      __typename
      ...Refusal
      ... on MutationCompleteRunSuccess {
        data {
          status
        }
      }
    }
  }
`);

/** The data of a `Success { data } | Error` union once errors are thrown; a null result stays null. */
type Unwrapped<Result> = Result extends { data: infer Data } ? Data : Result extends null ? null : never;

export type ClaimedRun = NonNullable<Unwrapped<ClaimMutation['claimRun']>>;

const REQUEST_TIMEOUT_MS = 15_000;

/** graphql-ws's close code for refused credentials (the server's CLOSE_FORBIDDEN). */
const CLOSE_FORBIDDEN = 4403;
/** The server's close code asking a runner to come back at once: an admin changed it (its labels). */
const CLOSE_RUNNER_CHANGED = 4000;

/** How a wait for work ended: told that a run may be queued, or not (the wait ran out, the server is going, the runner stops). */
export type WaitOutcome = 'signalled' | 'ended';

type GraphQLErrorLike = { message: string; extensions?: Record<string, unknown> };

export type ClaimOptions = {
  /** How long the server may hold the claim waiting for a run; 0 answers at once. */
  waitSeconds: number;
  /** Claim under these of the runner's labels only; null for all of them. */
  labels: string[] | null;
};

export class ApiClient {
  readonly url: string;
  private readonly apiKey: string;

  constructor(
    url: string,
    apiKey: string,
  ) {
    this.url = url;
    this.apiKey = apiKey;
  }

  /** False once the server has shown it cannot tell of work (it predates workAvailable): the runner holds claims instead. */
  serverSignals = true;

  /** The websocket the waits for work share, opened by the first and closed a minute after the last. */
  private socket: Client | null = null;
  /** The shared websocket is open and acknowledged. */
  private connected = false;

  /**
   * Waits on the server until a run this runner may take (under labels, or all its labels) may be
   * queued, or the wait ends: 'ended' too when the websocket it waited on is lost (the server
   * restarts, or went away). Fails with WebsocketUnavailableError when no websocket could be opened
   * for it, RejectedError when the server refuses the runner, and TransientApiError otherwise.
   */
  waitForWork(labels: string[] | null, stop?: AbortSignal): Promise<WaitOutcome> {
    const socket = (this.socket ??= this.openSocket());
    return new Promise((resolve, reject) => {
      // Whether this wait rode an open connection: each wait judges its own failure, whatever the others sharing the socket saw.
      let rode = this.connected;
      const stopRiding = socket.on('connected', () => void (rode = true));
      let done = false;
      const finish = (end: () => void) => {
        if (done) return;
        done = true;
        stopRiding();
        stop?.removeEventListener('abort', onStop);
        end();
      };
      const unsubscribe = socket.subscribe(
        { query: WorkAvailableDocument.toString(), variables: { labels } },
        {
          // One event and the server completes the subscription: the runner claims at once rather than wait for that.
          next: (result) => finish(() => (result.errors?.length ? reject(failureOf('workAvailable', result.errors as GraphQLErrorLike[])) : resolve('signalled'))),
          error: (error) =>
            finish(() => {
              const failure = socketFailure(error, rode);
              return failure === 'ended' ? resolve('ended') : reject(failure);
            }),
          complete: () => finish(() => resolve('ended')),
        },
      );
      const onStop = () => {
        unsubscribe();
        finish(() => resolve('ended'));
      };
      if (stop?.aborted) onStop();
      else stop?.addEventListener('abort', onStop, { once: true });
    });
  }

  /** Closes the websocket, if one is open; a connection that was still being opened may fail meanwhile, which is no matter now. */
  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    await socket?.dispose()?.catch(() => {});
  }

  private openSocket(): Client {
    return createClient({
      url: this.url.replace(/^http/, 'ws'),
      webSocketImpl: RunnerWebSocket,
      connectionParams: { 'x-api-key': this.apiKey },
      lazy: true,
      // A runner between runs keeps its connection; one that has gone to work for longer lets it go.
      lazyCloseTimeout: 60_000,
      // The server pings every socket; its pongs are answered by the websocket itself.
      keepAlive: 0,
      // Not retried here: the runner's loop pauses, jittered, and holds its wait over HTTP meanwhile where it can.
      retryAttempts: 0,
      on: {
        connected: () => void (this.connected = true),
        closed: () => void (this.connected = false),
        opened: (socket) => watchForSilence(socket as RunnerWebSocket),
      },
    });
  }

  /** False once the server has shown it cannot hold a claim (it predates waitSeconds and labels): the runner polls it. */
  serverWaits = true;

  /** The oldest run this runner may take, waiting on the server up to waitSeconds for one; null when none came. */
  async claimRun({ waitSeconds, labels }: ClaimOptions, stop?: AbortSignal): Promise<ClaimedRun | null> {
    if (this.serverWaits) {
      try {
        // A stopping runner hangs up on its wait rather than hold its workers until the wait ends.
        return await this.mutate('claimRun', ClaimWaitingDocument, { waitSeconds, labels }, REQUEST_TIMEOUT_MS + waitSeconds * 1000, stop);
      } catch (error) {
        if (!(error instanceof RejectedError && error.typename === 'InvalidRequest' && /waitSeconds|labels/i.test(error.message))) throw error;
        this.serverWaits = false;
      }
    }
    return this.mutate('claimRun', ClaimDocument, {});
  }

  /** Resolves to the run's status; a run that is no longer RUNNING comes back as a RejectedError with status. */
  async heartbeat(jobId: string): Promise<RunStatus> {
    return (await this.mutate('heartbeat', BeatDocument, { jobId })).status;
  }

  appendLogs(jobId: string, batchId: string, logs: LogLineInput[]) {
    return this.mutate('appendLogs', AppendDocument, { jobId, batchId, logs });
  }

  reportProducts(jobId: string, batchId: string, products: ProductInput[]) {
    return this.mutate('reportProducts', ReportDocument, { jobId, batchId, products });
  }

  completeRun(jobId: string, result: RunResultInput) {
    return this.mutate('completeRun', CompleteDocument, { jobId, result });
  }

  /** Sends a mutation whose field returns a `Success { data } | Error` union and unwraps it. */
  private async mutate<Result, Variables, Field extends keyof Result & string>(
    field: Field,
    document: TypedDocumentString<Result, Variables>,
    variables: Variables,
    timeoutMs = REQUEST_TIMEOUT_MS,
    stop?: AbortSignal,
  ): Promise<Unwrapped<Result[Field]>> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
        body: JSON.stringify({ query: document.toString(), variables }),
        signal: stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const e = error as Error & { cause?: Error };
      throw new TransientApiError(`${field}: ${e.cause?.message ?? e.message}`);
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new TransientApiError(`${field}: HTTP ${response.status}`);
    }
    // The field's answer is checked for __typename below, then typed by the operation's own result.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let body: { data?: Record<string, any>; errors?: GraphQLErrorLike[] };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new TransientApiError(`${field}: unreadable answer (HTTP ${response.status}): ${(error as Error).message}`);
    }
    if (body.errors?.length) throw failureOf(field, body.errors);
    const result = body.data?.[field];
    if (result === null || result === undefined) return null as Unwrapped<Result[Field]>;
    if (typeof result.__typename === 'string' && !result.__typename.endsWith('Success')) {
      const { __typename, message, ...details } = result;
      throw new RejectedError(__typename, message ?? __typename, details);
    }
    return result.data ?? null;
  }
}

/** A websocket that gives up on a server that does not answer its opening within 10 s. */
class RunnerWebSocket extends WebSocket {
  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols, { handshakeTimeout: 10_000 });
  }
}

/**
 * The server pings every websocket every 12 s. One that has said nothing for 45 s is gone without a
 * word (its host died, or a balancer failed over without a reset): the runner closes it, and its
 * waits end, rather than wait on it for ever.
 */
const SILENCE_MS = 45_000;

function watchForSilence(socket: RunnerWebSocket): void {
  const timer = setTimeout(() => socket.terminate(), SILENCE_MS);
  timer.unref();
  const heard = () => void timer.refresh();
  socket.on('ping', heard);
  socket.on('message', heard);
  socket.once('close', () => clearTimeout(timer));
}

/**
 * What ended a websocket wait that could not go on. Refused credentials are fatal. A connection that
 * was open and is lost ends the wait (the caller pauses, jittered, and waits again), but for the
 * server's ask to come back at once (its runner was changed). One that never opened means no
 * websocket is to be had.
 */
function socketFailure(error: unknown, rode: boolean): Error | 'ended' {
  if (Array.isArray(error)) return failureOf('workAvailable', error as GraphQLErrorLike[]);
  const close = error as { code?: unknown; reason?: unknown };
  const code = typeof close?.code === 'number' ? close.code : null;
  const reason = code !== null ? `connection closed with ${code}${typeof close.reason === 'string' && close.reason ? ` ${close.reason}` : ''}` : `${(error as Error)?.message ?? String(error)}`;
  if (code === CLOSE_FORBIDDEN) return new RejectedError('NotAuthorized', `the API closed the connection: ${reason}`);
  if (code === CLOSE_RUNNER_CHANGED) return new TransientApiError(`workAvailable: ${reason}`);
  if (!rode) return new WebsocketUnavailableError(`workAvailable: ${reason}`);
  return 'ended';
}

/** A failure the API answered in errors (not in a result union), sorted by what waiting can do about it. */
function failureOf(field: string, errors: readonly GraphQLErrorLike[]): Error {
  const [first] = errors;
  const code = first!.extensions?.code;
  // Credentials are not going to become right by waiting; anything else (a masked internal error
  // while the database restarts, say) may pass.
  if (code === 'FORBIDDEN') return new RejectedError('NotAuthorized', first!.message);
  if (code === 'RUNNER_LABELS_NOT_GRANTED') return new RejectedError('RunnerLabelsNotGrantedError', first!.message, { labels: first!.extensions?.labels });
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'BAD_USER_INPUT') return new RejectedError('InvalidRequest', first!.message);
  return new TransientApiError(`${field}: ${first!.message}`);
}
