/**
 * How an idle runner worker comes by its next run, the best way the server allows: it waits to be
 * told (the workAvailable subscription, which costs the server nothing while it waits) and then
 * claims; where the server cannot tell (it predates workAvailable, or websockets do not get
 * through), it holds claimRun(waitSeconds) open; where it cannot hold a claim either, it polls.
 * The runner's claim loop and the fleet benchmark's simulated runners both use it.
 */
import { backoffDelay, sleep } from '../../contract/backoff.ts';
import { RejectedError, WebsocketUnavailableError, type ApiClient, type ClaimedRun } from './apiClient.ts';

export type NextRunOptions = {
  /** How long the server may hold a claim waiting for a run; 0 polls every pollMs. */
  waitSeconds: number;
  pollMs: number;
  /** Claim under these of the runner's labels only; null for all of them. */
  labels: string[] | null;
};

/** The longest pause before waiting again after a wait the server ended early. */
const EARLY_PAUSE_MAX_MS = 10_000;

/** After the websocket could not be opened, how long claims are held open over HTTP before it is tried again. */
const SOCKET_RETRY_MS = 5 * 60_000;

const socketFailedAt = new WeakMap<ApiClient, number>();
/** Signals in a row that ended in no run: past the first, a runner pauses before waiting again, longer each time. */
const emptySignals = new WeakMap<ApiClient, number>();

/**
 * Told, the runner claims. Another runner is often quicker, and it waits again; but told again and
 * again for a run it cannot take (its row locked a while by a transaction), it would spin: it backs off.
 */
async function claimWhenTold(api: ApiClient, { labels }: NextRunOptions, stop: AbortSignal): Promise<ClaimedRun | null> {
  const run = await api.claimRun({ waitSeconds: 0, labels });
  const empty = run ? 0 : (emptySignals.get(api) ?? 0) + 1;
  emptySignals.set(api, empty);
  if (empty > 1) await sleep(backoffDelay(empty - 2, { baseMs: 100, maxMs: EARLY_PAUSE_MAX_MS, jitter: true }), stop);
  return run;
}

/**
 * A run this worker now holds, or null when it has none yet (having paused as it should before
 * asking again). Throws what the API answered (RejectedError) or why it could not be reached
 * (TransientApiError), for the caller to stop or back off.
 */
export async function nextRun(api: ApiClient, options: NextRunOptions, stop: AbortSignal): Promise<ClaimedRun | null> {
  const { waitSeconds, pollMs, labels } = options;
  if (waitSeconds === 0) return pollOnce(api, options, stop);
  const failedAt = socketFailedAt.get(api);
  if (api.serverSignals && (failedAt === undefined || Date.now() - failedAt > SOCKET_RETRY_MS)) {
    let outcome;
    try {
      outcome = await api.waitForWork(labels, stop);
    } catch (error) {
      // Refused by an older server: its waits are held over HTTP from now on.
      if (error instanceof RejectedError && error.typename === 'InvalidRequest' && /workAvailable/.test(error.message)) api.serverSignals = false;
      // No websocket to be had: this wait is held over HTTP, and tells whether the server or the websocket is away.
      else if (error instanceof WebsocketUnavailableError) return holdOverHttp(api, options, stop);
      // Refused for a while (its database is away) or asked to come back (its labels changed): the caller backs off.
      else throw error;
    }
    if (outcome === 'signalled') return claimWhenTold(api, options, stop);
    if (outcome === 'ended') {
      // Taken up again after a random pause of up to 10 s: a wait that ends is most often the server
      // shutting down or going away, which sends a whole fleet elsewhere at once; paused, it arrives spread out.
      await pauseBeforeWaitingAgain(pollMs, stop);
      return null;
    }
    if (stop.aborted) return null;
  }
  return api.serverWaits ? holdClaim(api, options, stop) : pollOnce(api, options, stop);
}

/** A random pause of pollMs to 10 s, so that a fleet sent away at once comes back spread out. */
const pauseBeforeWaitingAgain = (pollMs: number, stop: AbortSignal) => sleep(pollMs + Math.random() * Math.max(0, EARLY_PAUSE_MAX_MS - pollMs), stop);

/** After the websocket failed: where HTTP gets through, the websocket is left alone for a while; where it does not either, the server is away. */
async function holdOverHttp(api: ApiClient, options: NextRunOptions, stop: AbortSignal): Promise<ClaimedRun | null> {
  const run = await holdClaim(api, options, stop);
  socketFailedAt.set(api, Date.now());
  return run;
}

async function holdClaim(api: ApiClient, { waitSeconds, pollMs, labels }: NextRunOptions, stop: AbortSignal): Promise<ClaimedRun | null> {
  const asked = Date.now();
  let run;
  try {
    run = await api.claimRun({ waitSeconds, labels }, stop);
  } catch (error) {
    // Stopping hung up on the wait: no run, and nothing gone wrong.
    if (stop.aborted) return null;
    throw error;
  }
  // The server ends a wait somewhere in its last quarter: one shorter than half of it ended early.
  if (!run && !stop.aborted && Date.now() - asked < (waitSeconds * 1000) / 2) {
    await pauseBeforeWaitingAgain(pollMs, stop);
  }
  return run;
}

async function pollOnce(api: ApiClient, { pollMs, labels }: NextRunOptions, stop: AbortSignal): Promise<ClaimedRun | null> {
  const run = await api.claimRun({ waitSeconds: 0, labels });
  if (!run) await sleep(pollMs, stop);
  return run;
}
