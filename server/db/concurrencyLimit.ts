/**
 * Runs at most n tasks at once; the rest wait their turn in order. For work that many clients can
 * start together (every subscriber of a storm replaying its run) but that must leave the pool's
 * connections to everyone else.
 */
export function concurrencyLimit(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
