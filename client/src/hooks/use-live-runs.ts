/**
 * Keeps a list of runs live with runUpdated: a known run is replaced in place, a new one that the
 * caller accepts is put on top. Never polls.
 */
import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { graphql } from '@/gql/gql';
import { onReconnect } from '@/lib/api-client';
import type { RunRowFragment } from '@/gql/graphql';

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
  const [runs, setRuns] = useState<RunRowFragment[]>(initial ?? []);
  useEffect(() => setRuns(initial ?? []), [initial]);
  const { accept, limit } = options;

  const client = useClient();
  const onRunRef = useRef(options.onRun);
  onRunRef.current = options.onRun;
  const refetchRef = useRef(options.refetch);
  refetchRef.current = options.refetch;

  // Events sent while the websocket was down are gone: read the list again.
  useEffect(() => onReconnect(client, () => refetchRef.current?.()), [client]);
  const scraperId = options.scraperId ?? null;
  const paused = options.paused || initial === undefined;

  // Every event is applied (a hook holding only the latest result could drop one between renders).
  useEffect(() => {
    if (paused) return;
    const subscription = client.subscription(RunUpdatedSubscription, { scraperId }).subscribe((result) => {
      const run = result.data?.runUpdated;
      if (!run) return;
      onRunRef.current?.(run);
      setRuns((current) => {
        const index = current.findIndex((r) => r.id === run.id);
        if (index >= 0) return current.map((r, i) => (i === index ? run : r));
        if (accept && !accept(run)) return current;
        const next = [run, ...current];
        return limit ? next.slice(0, limit) : next;
      });
    });
    return () => subscription.unsubscribe();
  }, [client, scraperId, paused, accept, limit]);

  return runs;
}
