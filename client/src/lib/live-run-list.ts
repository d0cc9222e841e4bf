/**
 * How a live list of runs takes a run event or a fresh read. Pure, so that the order of events and
 * reads the page meets can be tried without one.
 */

/** What the list needs of a run. */
type ListedRun = { id: string; status: string };

/** Puts a known run in place, or a new one that the list accepts on top. */
export function applyRun<R extends ListedRun>(current: R[], run: R, accept?: (run: R) => boolean, limit?: number): R[] {
  const index = current.findIndex((r) => r.id === run.id);
  if (index >= 0) return current.map((r, i) => (i === index ? run : r));
  if (accept && !accept(run)) return current;
  const next = [run, ...current];
  return limit ? next.slice(0, limit) : next;
}

/**
 * A fresh read with the events it may have missed: a shown run the page heard further along takes
 * the event, and a run newer than any the read holds (created after it) goes on top.
 */
export function withLaterEvents<R extends ListedRun>(list: R[], latest: Map<string, R>, accept?: (run: R) => boolean, limit?: number): R[] {
  const newestRead = Math.max(0, ...list.map((run) => Number(run.id)));
  let next = list.map((shown) => {
    const event = latest.get(shown.id);
    return event && progress(event) > progress(shown) ? event : shown;
  });
  const created = [...latest.values()].filter((run) => Number(run.id) > newestRead).sort((a, b) => Number(a.id) - Number(b.id));
  for (const run of created) next = applyRun(next, run, accept, limit);
  return next;
}

/** Runs the page heard of lately; older ones are past any read still in flight. */
const REMEMBERED = 200;

export function remember<R extends ListedRun>(latest: Map<string, R>, run: R): void {
  latest.delete(run.id);
  latest.set(run.id, run);
  if (latest.size > REMEMBERED) latest.delete(latest.keys().next().value!);
}

/** How far along a run is: queued, running, ended. */
export const progress = (run: ListedRun) => (run.status === 'QUEUED' ? 0 : run.status === 'RUNNING' ? 1 : 2);
