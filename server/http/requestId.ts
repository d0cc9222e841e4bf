/**
 * Request ids: an incoming x-request-id is kept when it looks like one (so a load balancer's or a
 * client's id follows the request through), otherwise one is made; it is returned in the response
 * header and carried by every log line of the request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Logger } from '../logger.ts';
import { isDatabaseUnavailable } from './databaseUnavailable.ts';
import { refusedInput } from '../graphql/refusedInput.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Anything else (too long, spaces, control characters) could forge log lines or bloat them. */
const ACCEPTABLE = /^[A-Za-z0-9._:@/+=-]{1,64}$/;

/**
 * The request being served, for the logger's mixin: every line logged while serving an HTTP
 * request carries its id, lines logged by Yoga and by shared services included.
 */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** pino mixin: adds the current request's id (a line that names one itself keeps its own). */
export function requestIdMixin(): { requestId?: string } {
  const scope = requestScope.getStore();
  return scope ? { requestId: scope.requestId } : {};
}

/** Decides the request's id, writes it back onto the request (where the GraphQL context reads it) and the response. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const candidate = Array.isArray(incoming) ? incoming[0] : incoming;
  const id = candidate && ACCEPTABLE.test(candidate) ? candidate : randomUUID();
  req.headers[REQUEST_ID_HEADER] = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * One access log line per HTTP request, when its response is finished. Successful GraphQL calls
 * log at debug: at ingest rates an info line per appendLogs would outweigh the logs themselves.
 */
export function logRequestWhenDone(logger: Logger, requestId: string, req: IncomingMessage, res: ServerResponse, route: string): void {
  const started = process.hrtime.bigint();
  res.once('close', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const entry = { requestId, method: req.method, url: req.url?.slice(0, 200), route, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
    if (res.statusCode >= 500) logger.error(entry, 'request failed');
    else if (res.statusCode >= 400) logger.info(entry, 'request refused');
    else logger.debug(entry, 'request completed');
  });
}

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
