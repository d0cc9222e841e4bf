/**
 * Keeps a list of runs live with runUpdated: a known run is replaced in place, a new one that the
 * caller accepts is put on top. Never polls.
 *
 * The subscription starts with the page, not once the list has loaded: a run that changed between
 * the list's read and a subscription started after it would otherwise never show. Events that come
 * before the list are kept and applied to it when it comes, except where the list already shows the
 * run further along (the event was older than the read).
 *
 * A list read again (a run ended elsewhere, a mutation touched runs) can have been read before an
 * event that reached the page first: the latest event of each recent run is kept, and put back over
 * a read that shows that run less far along, so a run never steps back from RUNNING to QUEUED; a run
 * newer than any the read holds was created after it and goes on top.
 */
import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { graphql } from '@/gql/gql';
import { onReconnect } from '@/lib/api-client';
import type { RunRowFragment } from '@/gql/graphql';
import { applyRun, progress, remember, withLaterEvents } from '@/lib/live-run-list';

const RunUpdatedSubscription = graphql(`
  subscription RunUpdated($scraperId: ID) {
    runUpdated(scraperId: $scraperId) {
      ...RunRow
    }
  }
`);

export function useLiveRuns(
  initial: RunRowFragment[] | undefined,
  options: { scraperId?: string | null; accept?: (run: RunRowFragment) => boolean; limit?: number; paused?: boolean; onRun?: (run: RunRowFragment) => void; refetch?: () => void } = {},
): RunRowFragment[] {
  const { accept, limit } = options;
  const [runs, setRuns] = useState<RunRowFragment[]>(initial ?? []);
  const loaded = useRef(initial !== undefined);
  const early = useRef<RunRowFragment[]>([]);
  const latest = useRef(new Map<string, RunRowFragment>());
  useEffect(() => {
    loaded.current = initial !== undefined;
    if (initial === undefined) return setRuns([]);
    let list = initial;
    for (const run of early.current.splice(0)) {
      const shown = list.find((r) => r.id === run.id);
      if (!shown || progress(run) >= progress(shown)) list = applyRun(list, run, accept, limit);
    }
    setRuns(withLaterEvents(list, latest.current, accept, limit));
    // accept and limit are read when the list comes; a change of either comes with a new list.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initial]);

  const client = useClient();
  const onRunRef = useRef(options.onRun);
  onRunRef.current = options.onRun;
  const refetchRef = useRef(options.refetch);
  refetchRef.current = options.refetch;

  // Events sent while the websocket was down are gone: read the list again.
  useEffect(() => onReconnect(client, () => refetchRef.current?.()), [client]);
  const scraperId = options.scraperId ?? null;
  const paused = options.paused ?? false;

  // Every event is applied (a hook holding only the latest result could drop one between renders).
  useEffect(() => {
    if (paused) return;
    const subscription = client.subscription(RunUpdatedSubscription, { scraperId }).subscribe((result) => {
      const run = result.data?.runUpdated;
      if (!run) return;
      onRunRef.current?.(run);
      remember(latest.current, run);
      if (!loaded.current) return void early.current.push(run);
      setRuns((current) => applyRun(current, run, accept, limit));
    });
    return () => subscription.unsubscribe();
  }, [client, scraperId, paused, accept, limit]);

  return runs;
}
