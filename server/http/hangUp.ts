/**
 * A signal that aborts when the client goes away before its answer: a held request (a runner's wait
 * for work) ends then instead of holding its place. Made on first use, so that requests that never
 * wait cost nothing.
 */
import type { ServerResponse } from 'node:http';

export function hangUpSignalOf(res: ServerResponse): () => AbortSignal {
  let controller: AbortController | null = null;
  return () => {
    if (controller) return controller.signal;
    controller = new AbortController();
    const abort = controller.abort.bind(controller);
    if (res.closed || res.destroyed) abort();
    else res.once('close', () => !res.writableFinished && abort());
    return controller.signal;
  };
}
