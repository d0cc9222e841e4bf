/** Tells the operator, under the request's id, the cause of each error the client sees masked. */
import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from '../../http/databaseUnavailable.ts';
import type { Logger } from '../../logger.ts';
import { refusedInput } from '../refusedInput.ts';

/**
 * Logs each unexpected error (one that is not a GraphQLError, so Yoga masks it for the client)
 * with the request's logger, and so with its request id: the client sees only "Unexpected error.",
 * the operator finds the cause under the same id.
 */
export function useUnexpectedErrorLog() {
  return {
    onExecute({ args }: { args: { contextValue: unknown } }) {
      return {
        onExecuteDone({ result }: { result: { errors?: readonly GraphQLError[] } | AsyncIterable<unknown> }) {
          if (Symbol.asyncIterator in result) return;
          for (const error of result.errors ?? []) {
            const original = error.originalError;
            if (original && !(original instanceof GraphQLError)) {
              const { logger } = args.contextValue as { logger: Logger };
              // An outage is answered 503 and retried by clients: a warning, not a bug to chase.
              if (isDatabaseUnavailable(original)) logger.warn({ err: original, path: error.path?.join('.') }, 'database unavailable');
              else if (refusedInput(original)) logger.info({ err: original, path: error.path?.join('.') }, 'the database refused a value of the request');
              else logger.error({ err: original, path: error.path?.join('.') }, 'unexpected error');
            }
          }
        },
      };
    },
  };
}
