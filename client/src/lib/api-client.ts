/** Builds the urql client for one token: HTTP for queries and mutations, graphql-ws for subscriptions. */
import { createClient as createWsClient } from 'graphql-ws';
import { cacheExchange, Client, fetchExchange, mapExchange, subscriptionExchange } from 'urql';

const GRAPHQL_PATH = '/graphql';

/**
 * Listeners told when the websocket connected again after losing its connection. graphql-ws then
 * repeats every subscription with its first variables; a subscriber that can resume from where it
 * stopped (jobLogs with afterSeq) or must catch up on what it missed (run lists) acts on this.
 */
const reconnectListeners = new WeakMap<Client, Set<() => void>>();

export function onReconnect(client: Client, listener: () => void): () => void {
  const listeners = reconnectListeners.get(client);
  listeners?.add(listener);
  return () => listeners?.delete(listener);
}

/**
 * The live connection as a user would put it: `lost` while subscriptions wait for the websocket to
 * come back, `restored` once it has (until the next drop). A socket that closes because no page
 * subscribes any more (graphql-ws is lazy) is not a loss.
 */
export type LiveConnectionState = 'live' | 'lost' | 'restored';

type ConnectionStore = { state: LiveConnectionState; listeners: Set<() => void> };
const connectionStores = new WeakMap<Client, ConnectionStore>();

export function liveConnectionState(client: Client): LiveConnectionState {
  return connectionStores.get(client)?.state ?? 'live';
}

export function onLiveConnectionChange(client: Client, listener: () => void): () => void {
  const listeners = connectionStores.get(client)?.listeners;
  listeners?.add(listener);
  return () => listeners?.delete(listener);
}

export function createApiClient(token: string, onForbidden: () => void = () => {}): Client {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${GRAPHQL_PATH}`;
  const ws = createWsClient({
    url: wsUrl,
    connectionParams: { Authorization: `Bearer ${token}` },
    // Retries forever with graphql-ws' randomised backoff; the log viewer resumes from the last seq it saw.
    retryAttempts: Infinity,
    shouldRetry: () => true,
    lazy: true,
  });
  const store: ConnectionStore = { state: 'live', listeners: new Set() };
  const setState = (state: LiveConnectionState) => {
    if (store.state === state) return;
    store.state = state;
    store.listeners.forEach((listener) => listener());
  };
  let activeSubscriptions = 0;
  const client = new Client({
    url: GRAPHQL_PATH,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === 'FORBIDDEN')) onForbidden();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => {
            activeSubscriptions += 1;
            const unsubscribe = ws.subscribe({ ...request, query: request.query ?? '' }, sink);
            return {
              unsubscribe: () => {
                activeSubscriptions -= 1;
                unsubscribe();
              },
            };
          },
        }),
      }),
    ],
  });
  const listeners = new Set<() => void>();
  reconnectListeners.set(client, listeners);
  connectionStores.set(client, store);
  // The server closes a socket whose token it refuses with 4403 (at connect, or when the token is revoked).
  ws.on('closed', (event) => {
    if ((event as { code?: number }).code === 4403) onForbidden();
    else if (activeSubscriptions > 0) setState('lost');
  });
  ws.on('connected', (_socket, _payload, wasRetry) => {
    if (store.state === 'lost') setState('restored');
    if (wasRetry) listeners.forEach((listener) => listener());
  });
  return client;
}
