/** Reads a page again whenever the cleanup queue changes, by this admin, another one or a run: flagsChanged says so, nothing polls. */
import { useCallback } from 'react';
import { graphql } from '@/gql/gql';
import { useSubscriptionEvents } from './use-subscription-events';

const FlagsChangedSubscription = graphql(`
  subscription FlagsChanged {
    flagsChanged {
      pendingCount
    }
  }
`);

export function useRefetchOnFlagsChange(refetch: () => void, paused = false): void {
  const onEvent = useCallback(() => refetch(), [refetch]);
  useSubscriptionEvents(FlagsChangedSubscription, {}, onEvent, { refetch, paused });
}
