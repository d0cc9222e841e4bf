/**
 * Per-source politeness: at most `concurrency` requests in flight and at least `delayMs` between
 * the starts of two requests, shared by every run of this process that reads the same source.
 */
import { sleep } from '../../contract/backoff.ts';

export class SourcePacer {
  private active = 0;
  private nextStartAt = 0;
  private readonly waiting: Array<() => void> = [];

  private readonly concurrency: number;
  private readonly delayMs: number;

  constructor(
    concurrency: number,
    delayMs: number,
  ) {
    this.concurrency = concurrency;
    this.delayMs = delayMs;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    while (this.active >= this.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.active++;
    const wait = this.nextStartAt - Date.now();
    this.nextStartAt = Math.max(Date.now(), this.nextStartAt) + this.delayMs;
    if (wait > 0) await sleep(wait, signal);
  }
}

const pacers = new Map<string, SourcePacer>();

/** One pacer per source and setting, so that concurrent runs of one source share it. */
export function pacerFor(source: string, concurrency: number, delayMs: number): SourcePacer {
  const key = `${source}|${concurrency}|${delayMs}`;
  let pacer = pacers.get(key);
  if (!pacer) pacers.set(key, (pacer = new SourcePacer(concurrency, delayMs)));
  return pacer;
}
