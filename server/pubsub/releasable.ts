/**
 * Wraps a subscription's async generator so that a client leaving releases it at once. A generator
 * that waits (await) for its next event cannot run return() until it yields again, which for an idle
 * run is never: release() first wakes it and tells it to finish, then return() completes.
 */
export function releasable<T>(events: AsyncGenerator<T>, release: () => void): AsyncIterableIterator<T> {
  return {
    next: () => events.next(),
    return: (value?: unknown) => {
      release();
      return events.return(value as T);
    },
    throw: (error?: unknown) => {
      release();
      return events.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
