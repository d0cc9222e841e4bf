/**
 * Log retention: every so often, lines received more than LOG_RETENTION_DAYS ago are deleted in
 * the background. Each delete is its own short transaction over a few thousand rows found by
 * primary key, and none touches the run row that appends lock, so ingest never waits on it.
 * One instance at a time does a pass (a session advisory lock), the others skip theirs.
 */
import type pg from 'pg';
import { holdConnection } from '../db/heldConnection.ts';
import type { Logger } from '../logger.ts';
import { deleteExpiredLogLines, runHasLogLines, runsQueuedBefore, type RunCursor } from './sql/deleteExpiredLogLines.ts';

/** Any constant works as long as nothing else locks it; this one spells "LOGR". */
const RETENTION_LOCK_KEY = 0x4c4f4752;

export type RetentionOptions = {
  days: number;
  intervalMs?: number;
  /** Lines per DELETE: small enough that a delete is a short transaction. */
  batchSize?: number;
  runsPerPage?: number;
};

export type RetentionPass = { skipped: boolean; deletedLines: number; runsVisited: number };

export class LogRetention {
  /** Runs up to here are finished and hold no line: later passes start after them. */
  private floor: RunCursor | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private pass: Promise<RetentionPass> | null = null;

  private readonly pool: pg.Pool;
  private readonly logger: Logger;
  private readonly options: RetentionOptions;

  constructor(
    pool: pg.Pool,
    logger: Logger,
    options: RetentionOptions,
  ) {
    this.pool = pool;
    this.logger = logger;
    this.options = options;
  }

  /** Schedules passes; LOG_RETENTION_DAYS=0 keeps every line forever. */
  start(): void {
    if (this.options.days <= 0) return;
    this.schedule(Math.min(this.options.intervalMs ?? 3_600_000, 60_000));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.pass?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error) => this.logger.error({ err: error }, 'log retention pass failed; retrying at the next interval'))
        .finally(() => this.schedule(this.options.intervalMs ?? 3_600_000));
    }, delayMs);
    this.timer.unref();
  }

  /** One pass over the runs queued before the cutoff; a pass already under way is joined, not doubled. */
  runOnce(): Promise<RetentionPass> {
    this.pass ??= this.doPass().finally(() => (this.pass = null));
    return this.pass;
  }

  private async doPass(): Promise<RetentionPass> {
    const batchSize = this.options.batchSize ?? 5000;
    const runsPerPage = this.options.runsPerPage ?? 200;
    const held = await holdConnection(this.pool);
    const { client } = held;
    let locked = false;
    let broken: Error | undefined;
    try {
      locked = (await client.query(`SELECT pg_try_advisory_lock($1) AS locked`, [RETENTION_LOCK_KEY])).rows[0].locked;
      if (!locked) return { skipped: true, deletedLines: 0, runsVisited: 0 };
      // The database's clock, the one that stamped received_at.
      const { rows } = await client.query<{ cutoff: Date }>(`SELECT now() - make_interval(days => $1) AS cutoff`, [this.options.days]);
      const cutoff = rows[0]!.cutoff;
      let deletedLines = 0;
      let runsVisited = 0;
      let cursor = this.floor;
      let floorCanMove = true;
      while (!this.stopping) {
        const runs = await runsQueuedBefore(client, cutoff, cursor, runsPerPage);
        for (const run of runs) {
          for (;;) {
            const deleted = await deleteExpiredLogLines(client, run.id, cutoff, batchSize);
            deletedLines += deleted;
            if (deleted < batchSize || this.stopping) break;
            // Lets the ingest path have the event loop and the pool between batches.
            await new Promise((resolve) => setImmediate(resolve));
          }
          runsVisited++;
          // A run that is still going, or keeps newer lines, must be visited again by later passes.
          if (floorCanMove && run.finished && !(await runHasLogLines(client, run.id))) this.floor = { queuedAt: run.queuedAt, id: run.id };
          else floorCanMove = false;
        }
        if (runs.length < runsPerPage) break;
        cursor = runs[runs.length - 1]!;
      }
      if (deletedLines > 0) this.logger.info({ deletedLines, runsVisited, cutoff }, 'log retention removed expired lines');
      return { skipped: false, deletedLines, runsVisited };
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      if (locked && !broken) await client.query(`SELECT pg_advisory_unlock($1)`, [RETENTION_LOCK_KEY]).catch(() => undefined);
      // A client that failed mid-pass is destroyed, which also drops its advisory lock.
      held.release(broken);
    }
  }
}
