/** Waits for a condition over state that an event source updates: each update calls notify, which rechecks the waiting conditions. */
export function conditionWaiter(describeState: () => string) {
  const waiters = new Set<() => void>();
  return {
    notify: () => waiters.forEach((w) => w()),
    waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!condition()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`condition not met in ${timeoutMs} ms; ${describeState()}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
