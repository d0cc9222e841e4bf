/**
 * Where this instance's appends of one run meet: one statement at a time per run stores every batch
 * that came while the one before it was at the database. A run's appends serialise on its row lock
 * anyway; waiting here instead leaves the pool's connections to everyone else (a runner posting from
 * 32 threads took every one, and the reads that fan its lines out queued behind them), and a
 * statement that stores many batches takes one lock, one commit and one announcement for them all,
 * so that a run whose batches come faster than one statement takes does not turn into a queue.
 */
import type { Database } from '../db/database.ts';
import { MAX_LINES_PER_BATCH } from '../../contract/limits.ts';
import { insertLogBatch, insertLogBatches, type LogLineInput, type StoredBatch } from './sql/insertLogBatch.ts';

/** The most one statement stores: lines, and message characters (a batch may hold 64 KiB lines). */
const GROUP_LINES = 5 * MAX_LINES_PER_BATCH;
const GROUP_CHARS = 16 * 1024 * 1024;

/** PostgreSQL's code for a unique key taken: here, a batch id another statement stored first. */
export const UNIQUE_VIOLATION = '23505';

export type BatchToStore = { runId: number; runnerId: number; leaseSeconds: number; batchId: string; lines: LogLineInput[] };

type Pending = BatchToStore & { chars: number; resolve(stored: StoredBatch | null): void; reject(error: unknown): void };

export class RunLogWriter {
  private readonly queues = new Map<number, Pending[]>();
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Batches waiting for their run's statement in progress. */
  get waiting(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.length;
    return count;
  }

  /**
   * Stores the batch, alone or with others of its run: its seq range, or null when nothing was
   * stored (see insertLogBatches). Two deliveries of one batch id at the same moment reject the
   * later one with PostgreSQL's unique violation, as a single statement would.
   */
  store(batch: BatchToStore): Promise<StoredBatch | null> {
    let chars = 0;
    for (const line of batch.lines) chars += line.message.length;
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(batch.runId);
      const pending = { ...batch, chars, resolve, reject };
      if (queue) return void queue.push(pending);
      this.queues.set(batch.runId, [pending]);
      void this.drain(batch.runId);
    });
  }

  /** Writes the run's queue, a group per statement, until it is empty. */
  private async drain(runId: number): Promise<void> {
    const queue = this.queues.get(runId)!;
    while (queue.length > 0) {
      const group = takeGroup(queue);
      await this.write(group);
    }
    this.queues.delete(runId);
  }

  private async write(group: Pending[]): Promise<void> {
    const [{ runId, runnerId, leaseSeconds }] = group as [Pending];
    const notify = this.db.notifyInTransaction;
    try {
      const stored = await insertLogBatches(this.db.pool, { runId, runnerId, leaseSeconds, notify, batches: group });
      for (const pending of group) pending.resolve(stored.get(pending.batchId) ?? null);
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION || group.length === 1) {
        for (const pending of group) pending.reject(error);
        return;
      }
      // Another instance stored one of these batches at the same moment: each goes alone, so that
      // only that one fails, as it would have on its own.
      for (const pending of group) {
        await insertLogBatch(this.db.pool, { ...pending, notify }).then(pending.resolve, pending.reject);
      }
    }
  }
}

/**
 * The batches at the head of the queue that one statement stores: the same runner's (a batch of
 * another is refused on its own), each batch id once, within the group's bounds.
 */
function takeGroup(queue: Pending[]): Pending[] {
  const head = queue[0]!;
  const group: Pending[] = [];
  const ids = new Set<string>();
  let lines = 0;
  let chars = 0;
  for (let i = 0; i < queue.length; ) {
    const pending = queue[i]!;
    const fits = group.length === 0 || (lines + pending.lines.length <= GROUP_LINES && chars + pending.chars <= GROUP_CHARS);
    if (!fits) break;
    if (pending.runnerId !== head.runnerId || pending.leaseSeconds !== head.leaseSeconds || ids.has(pending.batchId)) {
      i++;
      continue;
    }
    queue.splice(i, 1);
    group.push(pending);
    ids.add(pending.batchId);
    lines += pending.lines.length;
    chars += pending.chars;
  }
  return group;
}
