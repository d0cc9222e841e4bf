/**
 * Fetches one page with a deadline, retrying what may pass (timeouts, network errors, 429 and 5xx)
 * with exponential backoff, and failing at once on what will not (other 4xx).
 */
import { backoffDelay, sleep } from '../../contract/backoff.ts';
import type { SourcePacer } from './sourcePacer.ts';

/** A failure of one fetch; `type` is what the run's log and errorType report. */
export class FetchError extends Error {
  readonly type: 'HTTP_ERROR' | 'TIMEOUT' | 'NETWORK_ERROR' | 'NOT_FOUND' | 'ABORTED';
  readonly status?: number;

  constructor(
    type: 'HTTP_ERROR' | 'TIMEOUT' | 'NETWORK_ERROR' | 'NOT_FOUND' | 'ABORTED',
    message: string,
    status?: number,
  ) {
    super(message);
    this.type = type;
    this.status = status;
    this.name = 'FetchError';
  }
}

export type FetchOptions = {
  timeoutMs: number;
  retries: number;
  pacer: SourcePacer;
  signal: AbortSignal;
  /** Told of each retry, so the run's log says why it is slow. */
  onRetry?: (error: FetchError, attempt: number) => void;
};

const USER_AGENT = 'Scrapedeck-runner/0.1 (+https://github.com/scrapedeck)';
/** A product page or listing larger than this is not a page but a mistake (or a trap); it is refused. */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

export async function fetchPage(url: string, options: FetchOptions): Promise<{ body: string; url: string; contentType: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await options.pacer.run(() => fetchOnce(url, options), options.signal);
    } catch (error) {
      const failure = asFetchError(error, options);
      const retriable = failure.type === 'TIMEOUT' || failure.type === 'NETWORK_ERROR' || (failure.type === 'HTTP_ERROR' && (failure.status! >= 500 || failure.status === 429));
      if (!retriable || attempt >= options.retries || options.signal.aborted) throw failure;
      options.onRetry?.(failure, attempt + 1);
      await sleep(backoffDelay(attempt, { baseMs: 250 }), options.signal);
    }
  }
}

async function fetchOnce(url: string, options: FetchOptions) {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const response = await fetch(url, { signal, headers: { 'user-agent': USER_AGENT, accept: 'text/html,application/json;q=0.9,*/*;q=0.5' }, redirect: 'follow' });
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new FetchError('HTTP_ERROR', `${url} answers with ${declared} bytes, more than the ${MAX_BODY_BYTES} allowed`, response.status);
  }
  const body = await response.text();
  if (body.length > MAX_BODY_BYTES) throw new FetchError('HTTP_ERROR', `${url} answered with more than ${MAX_BODY_BYTES} bytes`, response.status);
  if (response.status === 404 || response.status === 410) throw new FetchError('NOT_FOUND', `HTTP ${response.status} from ${url}`, response.status);
  if (!response.ok) throw new FetchError('HTTP_ERROR', `HTTP ${response.status} from ${url}`, response.status);
  return { body, url: response.url || url, contentType: response.headers.get('content-type') ?? '' };
}

function asFetchError(error: unknown, options: FetchOptions): FetchError {
  if (error instanceof FetchError) return error;
  const e = error as Error & { cause?: Error };
  if (options.signal.aborted) return new FetchError('ABORTED', 'the run was stopped');
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new FetchError('TIMEOUT', `no answer within ${options.timeoutMs} ms`);
  return new FetchError('NETWORK_ERROR', e.cause?.message ?? e.message);
}
