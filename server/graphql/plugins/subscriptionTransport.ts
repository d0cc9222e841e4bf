/**
 * Subscriptions are served over graphql-ws only. Over HTTP (server-sent events) a stream would
 * escape what a websocket gets: its credentials checked again on every subscribe and its connection
 * closed on revocation, the connection rate limit, the per-connection limit of subscriptions, and
 * the shutdown's 1001. An HTTP subscription is answered with a 400 that says where to go.
 */
import { GraphQLError } from 'graphql';

const SUBSCRIPTIONS_OVER_WEBSOCKET = 'SUBSCRIPTION_OVER_HTTP';

/** Subscriptions one graphql-ws connection may hold at once (the admin holds a handful). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 500;

export function useSubscriptionsOverWebsocketOnly() {
  return {
    onSubscribe({ args, setResultAndStopExecution }: { args: { contextValue: unknown }; setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void }) {
      if ((args.contextValue as { transport?: string }).transport === 'websocket') return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError('Subscriptions are served over graphql-ws (the graphql-transport-ws protocol) on this same path, not over HTTP', {
            extensions: { code: SUBSCRIPTIONS_OVER_WEBSOCKET, http: { status: 400 } },
          }),
        ],
      });
    },
  };
}

export class TooManySubscriptionsError extends GraphQLError {
  constructor() {
    super(`A connection holds at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions; complete some, or open another connection`, {
      extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: MAX_SUBSCRIPTIONS_PER_CONNECTION },
    });
    this.name = 'TooManySubscriptionsError';
  }
}
