/**
 * Hands every event of a subscription to a callback (a hook holding only the latest result could
 * drop one between renders), and calls `refetch` after the websocket reconnects, since events sent
 * while it was down are gone. Never polls.
 */
import { useEffect, useRef } from 'react';
import { useClient, type AnyVariables, type TypedDocumentNode } from 'urql';
import { onReconnect } from '@/lib/api-client';

export function useSubscriptionEvents<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  onEvent: (data: Data) => void,
  options: { refetch?: () => void; paused?: boolean } = {},
): void {
  const client = useClient();
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;
  const refetchRef = useRef(options.refetch);
  refetchRef.current = options.refetch;
  const key = JSON.stringify(variables);
  const paused = options.paused ?? false;

  useEffect(() => onReconnect(client, () => refetchRef.current?.()), [client]);

  useEffect(() => {
    if (paused) return;
    const subscription = client.subscription(document, JSON.parse(key) as Variables).subscribe((result) => {
      if (result.data) onEventRef.current(result.data);
    });
    return () => subscription.unsubscribe();
  }, [client, document, key, paused]);
}
