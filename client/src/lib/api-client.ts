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
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  const listeners = new Set<() => void>();
  reconnectListeners.set(client, listeners);
  // The server closes a socket whose token it refuses with 4403 (at connect, or when the token is revoked).
  ws.on('closed', (event) => {
    if ((event as { code?: number }).code === 4403) onForbidden();
  });
  ws.on('connected', (_socket, _payload, wasRetry) => {
    if (wasRetry) listeners.forEach((listener) => listener());
  });
  return client;
}
