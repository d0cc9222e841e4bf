/** The access log of the HTTP server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';

/**
 * One access log line per HTTP request, when its response is finished. Successful GraphQL calls
 * log at debug: at ingest rates an info line per appendLogs would outweigh the logs themselves.
 */
export function logRequestWhenDone(logger: Logger, requestId: string, req: IncomingMessage, res: ServerResponse, route: string): void {
  const started = process.hrtime.bigint();
  res.once('close', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // The path only: a query string can carry a GraphQL document's variables (a webhook secret, a token).
    const [path = '', query] = (req.url ?? '').split('?', 2);
    const entry = { requestId, method: req.method, path: path.slice(0, 200), queryBytes: query?.length, route, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
    if (res.statusCode >= 500) logger.error(entry, 'request failed');
    else if (res.statusCode >= 400) logger.info(entry, 'request refused');
    else logger.debug(entry, 'request completed');
  });
}
