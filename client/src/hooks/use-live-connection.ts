/** The state of the admin's live connection (the websocket subscriptions ride on), re-rendering when it changes. */
import { useCallback, useSyncExternalStore } from 'react';
import { useClient } from 'urql';
import { liveConnectionState, onLiveConnectionChange, type LiveConnectionState } from '@/lib/api-client';

export function useLiveConnection(): LiveConnectionState {
  const client = useClient();
  const subscribe = useCallback((listener: () => void) => onLiveConnectionChange(client, listener), [client]);
  return useSyncExternalStore(subscribe, () => liveConnectionState(client));
}
