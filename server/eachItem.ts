/**
 * Operations on many things at once, answered per item: each item is done or fails on its own, so
 * one missing scraper does not stop the others. Failures a caller can act on (the typed errors the
 * operation names) become that item's answer; anything else is a fault and fails the whole call.
 */

export type ItemOutcome<T> = { done: T; failed?: undefined } | { done?: undefined; failed: Error };

type ErrorClass = abstract new (...args: never[]) => Error;

/** Runs `work` for each id in turn (each in its own transaction, if it has one), in the order given. */
export async function eachItem<T>(
  ids: readonly number[],
  work: (id: number) => Promise<T>,
  expected: readonly ErrorClass[],
): Promise<Map<number, ItemOutcome<T>>> {
  const outcomes = new Map<number, ItemOutcome<T>>();
  for (const id of ids) {
    if (outcomes.has(id)) continue;
    try {
      outcomes.set(id, { done: await work(id) });
    } catch (error) {
      if (!expected.some((kind) => error instanceof kind)) throw error;
      outcomes.set(id, { failed: error as Error });
    }
  }
  return outcomes;
}
