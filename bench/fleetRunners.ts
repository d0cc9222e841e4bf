/**
 * A fleet of idle runners in a process of its own, for the fleet phase (fleet.ts): each is the
 * runner's own ApiClient waiting for its next run as the runner's workers do (nextRun: told over a
 * websocket, or holding claimRun open where it cannot be), backing off the same way when that fails. A run it claims is only
 * reported, with the moment its claim was answered, and the runner asks again at once: the fleet
 * stays as idle as it was however many runs it is woken for. Driven over the IPC channel it is
 * started with; it never writes to the database.
 */
import { backoffDelay, sleep } from '../contract/backoff.ts';
import { ApiClient, RejectedError } from '../scrapers/runner/apiClient.ts';
import { nextRun } from '../scrapers/runner/nextRun.ts';

export type FleetCommand =
  | { kind: 'add'; url: string; keys: string[]; heldClaims: boolean; waitSeconds: number; pollMs: number; perSecond: number }
  | { kind: 'tally' }
  | { kind: 'stop' };

/** Counts since the process started: waits ended (with a run, or with none when the wait ended or another runner was quicker). */
export type FleetTally = {
  runners: number;
  answered: number;
  claimed: number;
  /** Ended without a run in under half a second: the server did not hold the wait. */
  early: number;
  /** Failed claims by their message. */
  errors: Record<string, number>;
};

export type FleetReport =
  | { kind: 'claimed'; runId: string; at: number }
  | { kind: 'added'; runners: number }
  | { kind: 'tally'; tally: FleetTally }
  | { kind: 'stopped'; tally: FleetTally };

/** Wall-clock milliseconds with the resolution of performance.now(), comparable with the parent's. */
const wallClock = () => performance.timeOrigin + performance.now();

const stopping = new AbortController();
const loops: Array<Promise<void>> = [];
const tally: FleetTally = { runners: 0, answered: 0, claimed: 0, early: 0, errors: {} };

function report(message: FleetReport): void {
  process.send!(message);
}

function countError(error: unknown): void {
  const key = (error instanceof RejectedError ? `${error.typename}: ${error.message}` : (error as Error).message).slice(0, 160);
  tally.errors[key] = (tally.errors[key] ?? 0) + 1;
}

async function idle(api: ApiClient, waitSeconds: number, pollMs: number): Promise<void> {
  let failures = 0;
  while (!stopping.signal.aborted) {
    const asked = Date.now();
    let run;
    try {
      run = await nextRun(api, { waitSeconds, pollMs, labels: null }, stopping.signal);
      failures = 0;
    } catch (error) {
      if (stopping.signal.aborted) break;
      countError(error);
      failures++;
      await sleep(backoffDelay(failures, { baseMs: pollMs, maxMs: Math.min(10_000, 16 * pollMs), jitter: true }), stopping.signal);
      continue;
    }
    if (stopping.signal.aborted) break;
    const at = wallClock();
    tally.answered++;
    if (run) {
      tally.claimed++;
      report({ kind: 'claimed', runId: run.id, at });
    } else if (Date.now() - asked < 500) {
      tally.early++;
    }
  }
  await api.close();
}

/** Starts the runners at `perSecond`: a fleet that comes up all at once is a restart, not the idle fleet measured. */
async function add({ url, keys, heldClaims, waitSeconds, pollMs, perSecond }: Extract<FleetCommand, { kind: 'add' }>): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < keys.length && !stopping.signal.aborted; i++) {
    const ahead = started + (i * 1000) / perSecond - performance.now();
    if (ahead > 10) await sleep(ahead, stopping.signal);
    const api = new ApiClient(url, keys[i]!);
    // As a runner whose websocket does not get through: it holds claimRun open over HTTP.
    if (heldClaims) api.serverSignals = false;
    loops.push(idle(api, waitSeconds, pollMs));
    tally.runners++;
  }
  report({ kind: 'added', runners: tally.runners });
}

process.on('message', (command: FleetCommand) => {
  if (command.kind === 'add') void add(command);
  else if (command.kind === 'tally') report({ kind: 'tally', tally });
  else {
    stopping.abort();
    void Promise.all(loops).then(() => {
      // Leaves once the last report is handed over: undici's idle sockets would otherwise keep it up for a while.
      process.send!({ kind: 'stopped', tally } satisfies FleetReport, () => process.exit(0));
    });
  }
});
// The parent going away ends the fleet with it.
process.on('disconnect', () => process.exit(0));
