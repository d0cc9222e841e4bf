/**
 * Learns when a run has ended (or that there is no such run), for the log hub's subscribers of it:
 * reads the run once at the start and again on each change announced for it, until it has ended. A read that fails is tried again
 * after a pause while anyone watches: after a run has ended nothing else may be announced for it.
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { readRunEnd, type RunEnd } from './sql/readRunEnd.ts';

/** Tells the watch when a run may have changed state (run_updated, or a reconnect that may have missed one). */
export type RunWatcher = { watch(runId: number, onChange: () => void): () => void };

const RETRY_MS = 2_000;

export class RunEndWatch {
  /** How the run ended, once known: every line through end.lastSeq is committed, and none comes after. */
  end: RunEnd | null = null;
  private checking: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly stopWatching: () => void;

  private readonly pool: pg.Pool;
  private readonly logger: Logger;
  private readonly runId: number;
  private readonly onEnd: (end: RunEnd) => void;
  private readonly onMissing: () => void;

  constructor(pool: pg.Pool, logger: Logger, runId: number, watcher: RunWatcher, handlers: { onEnd: (end: RunEnd) => void; onMissing: () => void }) {
    this.pool = pool;
    this.logger = logger;
    this.runId = runId;
    this.onEnd = handlers.onEnd;
    this.onMissing = handlers.onMissing;
    // Watching first, then the first look: an end committed in between is announced to the watch.
    this.stopWatching = watcher.watch(runId, () => this.check());
    this.check();
  }

  stop(): void {
    this.stopped = true;
    this.stopWatching();
    if (this.retry) clearTimeout(this.retry);
  }

  private check(): void {
    this.checking = this.checking.then(async () => {
      if (this.end || this.stopped) return;
      let found;
      try {
        found = await readRunEnd(this.pool, this.runId);
      } catch (error) {
        this.logger.error({ err: error, runId: this.runId }, 'reading whether a run ended failed; trying again');
        this.retry ??= setTimeout(() => ((this.retry = null), this.check()), RETRY_MS).unref();
        return;
      }
      if (this.stopped) return;
      if (found === 'missing') return this.onMissing();
      this.end = found;
      if (this.end) this.onEnd(this.end);
    });
  }
}
