/**
 * Request ids: an incoming x-request-id is kept when it looks like one (so a load balancer's or a
 * client's id follows the request through), otherwise one is made; it is returned in the response
 * header and carried by every log line of the request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const REQUEST_ID_HEADER = 'x-request-id';
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
