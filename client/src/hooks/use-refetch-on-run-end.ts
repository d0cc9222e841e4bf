/**
 * Reads a page again whenever a run ends, since that is when the data it shows (products, their
 * history) changes; runUpdated says so, so nothing polls.
 */
import { useCallback } from 'react';
import { graphql } from '@/gql/gql';
import { FINISHED } from '@/lib/run-status';
import { useSubscriptionEvents } from './use-subscription-events';

const RunEndedSubscription = graphql(`
  subscription RunEnded {
    runUpdated {
      id
      status
    }
  }
`);

export function useRefetchOnRunEnd(refetch: () => void, paused = false): void {
  const onEvent = useCallback(
    (data: { runUpdated: { status: Parameters<typeof FINISHED.has>[0] } }) => FINISHED.has(data.runUpdated.status) && refetch(),
    [refetch],
  );
  useSubscriptionEvents(RunEndedSubscription, {}, onEvent, { refetch, paused });
}
