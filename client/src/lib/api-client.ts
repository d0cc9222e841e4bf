/** Builds the urql client for one token: HTTP for queries and mutations, graphql-ws for subscriptions. */
import { createClient as createWsClient } from 'graphql-ws';
import { cacheExchange, Client, fetchExchange, mapExchange, subscriptionExchange } from 'urql';

export const GRAPHQL_PATH = '/graphql';

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
  return new Client({
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
}
