/**
 * Waiting before a retry, the same way on both sides: the server's LISTEN connection reconnecting,
 * the runner claiming runs, shipping batches and fetching pages. Waits grow exponentially to a cap;
 * with jitter, half of each wait is random, so that clients cut off at the same moment (by a restart
 * of the API or of PostgreSQL) do not all come back at the same moment.
 */

export type Backoff = {
  /** The wait before the first retry (attempt 0). */
  baseMs: number;
  /** The longest wait; none when unset. */
  maxMs?: number;
  jitter?: boolean;
};

/** How long to wait before retry `attempt`, counted from 0. */
export function backoffDelay(attempt: number, { baseMs, maxMs = Infinity, jitter = false }: Backoff, random: () => number = Math.random): number {
  const delay = Math.min(maxMs, baseMs * 2 ** attempt);
  return jitter ? delay * (0.5 + random() / 2) : delay;
}

/** Resolves after `ms`, or at once when `signal` aborts: a process that is stopping does not wait out a backoff. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
