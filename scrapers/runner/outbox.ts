/**
 * Everything a run sends to the API after claiming it (log batches, product batches, the final
 * completeRun) goes through one ordered queue per run. Operations leave in the order they were
 * queued, one at a time, each retried with backoff and the same batch id until the API stores it
 * (the API drops repeats), so lines arrive exactly once and in order whatever the API does.
 *
 * The queue holds at most `memoryLimit` operations in memory; beyond that it spills to numbered
 * segment files under `dir`, which it reads back in order. On shutdown what is left is written to
 * disk too, and a runner started on the same spool folder sends it before anything else.
 *
 * When the API answers that the run has ended (RunStateError: it was cancelled, lost to a retry, or
 * completed), nothing more of the run can be stored: the outbox drops what it holds and whatever is
 * pushed later, tells the run to stop, and says once, when it closes, how much it dropped.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '../../contract/backoff.ts';
import { RejectedError, type ApiClient } from './apiClient.ts';
import type { LogLineInput, ProductInput, RunResultInput } from './gql/graphql.ts';

export type OutboundOp =
  | { kind: 'logs'; jobId: string; batchId: string; lines: LogLineInput[] }
  | { kind: 'products'; jobId: string; batchId: string; products: ProductInput[] }
  | { kind: 'complete'; jobId: string; result: RunResultInput };

const SEGMENT_DIGITS = 12;
/** Segments count up from here; what is left in memory at shutdown is written below the first one. */
const FIRST_SEGMENT = 500_000_000_000;
const MAX_BACKOFF_MS = 5_000;

export type OutboxOptions = {
  memoryLimit?: number;
  onDelivered?: (op: OutboundOp, answer: unknown) => void;
  /** The API said the run is no longer RUNNING (its status): the run's work should stop. */
  onRunEnded?: (status: string) => void;
};

/** What an outbox dropped because its run had ended. */
type Dropped = { jobId: string; status: string; lines: number; products: number; operations: number };

export class Outbox {
  private memory: OutboundOp[] = [];
  private segments: number[];
  private tailCount = 0;
  private pumping: Promise<void> | null = null;
  private stopped = false;
  /** Aborted by close(): a stopping runner does not wait out a retry's backoff. */
  private waking: AbortController | null = null;
  private readonly memoryLimit: number;
  private readonly drainedWaiters = new Set<() => void>();
  /** When the API last accepted something; a delivered batch proves the runner alive like a heartbeat. */
  lastDeliveredAt = 0;
  /** Set once the API has said the run ended: from then on everything is dropped. */
  private dropped: Dropped | null = null;
  /** A products batch was refused: the API lacks products the scraper read, so the listing it holds is not complete. */
  private productsRefused = false;

  private readonly api: ApiClient;
  readonly dir: string;
  private readonly logger: Logger;
  private readonly options: OutboxOptions;

  constructor(
    api: ApiClient,
    dir: string,
    logger: Logger,
    options: OutboxOptions = {},
  ) {
    this.api = api;
    this.dir = dir;
    this.logger = logger;
    this.options = options;
    this.memoryLimit = options.memoryLimit ?? 200;
    mkdirSync(dir, { recursive: true });
    // Segments left by an earlier process come first, in order.
    this.segments = readdirSync(dir)
      .map((f) => /^(\d+)\.jsonl$/.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    if (this.segments.length > 0) this.tailCount = Number.POSITIVE_INFINITY; // never append to a recovered file
    if (this.segments.length > 0) this.kick();
  }

  get pending(): number {
    return this.memory.length + this.segments.length;
  }

  push(op: OutboundOp): void {
    if (this.stopped) throw new Error('the outbox is closed');
    if (this.dropped) return this.countDropped(op);
    if (this.segments.length === 0 && this.memory.length < this.memoryLimit) this.memory.push(op);
    else this.spill(op);
    this.kick();
  }

  /** Resolves once everything queued so far was delivered (or refused), or at the deadline; true when empty. */
  async drain(deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    while (this.pending > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(deadline - Date.now(), 1_000));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.drainedWaiters.add(done);
      });
    }
    return this.pending === 0;
  }

  /** Stops sending and keeps whatever is left on disk for the next runner process; removes the folder when empty. */
  async close(): Promise<number> {
    this.stopped = true;
    this.waking?.abort();
    await this.pumping;
    if (this.dropped) {
      const { jobId, status, lines, products, operations } = this.dropped;
      this.logger.warn(
        { jobId, status, lines, products, operations },
        `the run is ${status} on the server: dropped ${lines} unsent log lines and ${products} products; not retried`,
      );
    }
    const left = this.pending;
    if (this.memory.length > 0) {
      const index = (this.segments[0] ?? FIRST_SEGMENT) - 1;
      writeFileSync(this.segmentPath(index), this.memory.map((op) => JSON.stringify(op)).join('\n') + '\n');
      this.memory = [];
      this.segments.unshift(index);
    }
    if (this.segments.length === 0) rmSync(this.dir, { recursive: true, force: true });
    return left;
  }

  private segmentPath(index: number) {
    return path.join(this.dir, `${String(index).padStart(SEGMENT_DIGITS, '0')}.jsonl`);
  }

  private spill(op: OutboundOp) {
    if (this.segments.length === 0 || this.tailCount >= this.memoryLimit) {
      this.segments.push((this.segments.at(-1) ?? FIRST_SEGMENT - 1) + 1);
      this.tailCount = 0;
    }
    appendFileSync(this.segmentPath(this.segments.at(-1)!), JSON.stringify(op) + '\n');
    this.tailCount++;
  }

  /** Moves the oldest segment back into memory once memory is empty. */
  private refill() {
    if (this.memory.length > 0 || this.segments.length === 0) return;
    const index = this.segments.shift()!;
    const file = this.segmentPath(index);
    const text = readFileSync(file, 'utf8');
    this.memory = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as OutboundOp);
    unlinkSync(file);
    if (this.segments.length === 0) this.tailCount = 0;
  }

  private kick() {
    if (this.pumping || this.stopped) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.pending > 0 && !this.stopped) this.kick();
    });
  }

  private async pump() {
    for (;;) {
      this.refill();
      const op = this.memory[0];
      if (!op || this.stopped) break;
      const delivered = await this.deliver(op);
      if (!delivered) break; // stopped while retrying: the op stays queued
      this.memory.shift();
    }
    if (this.pending === 0) for (const done of [...this.drainedWaiters]) done();
    this.drainedWaiters.clear();
  }

  /** Sends one operation until it is stored or refused; false when the outbox was closed first. */
  private async deliver(op: OutboundOp): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await this.send(op);
        this.lastDeliveredAt = Date.now();
        this.options.onDelivered?.(op, answer);
        return true;
      } catch (error) {
        if (error instanceof RejectedError && error.typename === 'RunStateError') {
          this.dropEverything(op.jobId, String(error.details.status));
          return true;
        }
        if (error instanceof RejectedError) {
          // Retrying cannot change the answer (the run was cancelled, the input is refused): drop it, loudly.
          this.logger.warn({ jobId: op.jobId, op: op.kind, err: error.message, details: error.details }, 'the API refused an operation; dropped');
          if (op.kind === 'products') this.productsRefused = true;
          this.options.onDelivered?.(op, error);
          return true;
        }
        if (this.stopped) return false;
        const delay = backoffDelay(attempt, { baseMs: 200, maxMs: MAX_BACKOFF_MS, jitter: true });
        if (attempt === 0 || attempt % 10 === 0) {
          this.logger.warn({ jobId: op.jobId, op: op.kind, attempt, err: (error as Error).message }, 'API unreachable; retrying with the same batch');
        }
        this.waking = new AbortController();
        await sleep(delay, this.waking.signal);
        this.waking = null;
        if (this.stopped) return false;
      }
    }
  }

  /** The run has ended on the server: every queued operation (in memory and on disk) goes, counted. */
  private dropEverything(jobId: string, status: string) {
    this.dropped = { jobId, status, lines: 0, products: 0, operations: 0 };
    for (;;) {
      this.refill();
      if (this.memory.length === 0) break;
      for (const op of this.memory) this.countDropped(op);
      this.memory = [];
    }
    this.options.onRunEnded?.(status);
  }

  private countDropped(op: OutboundOp) {
    const dropped = this.dropped!;
    dropped.operations++;
    if (op.kind === 'logs') dropped.lines += op.lines.length;
    if (op.kind === 'products') dropped.products += op.products.length;
  }

  private send(op: OutboundOp): Promise<unknown> {
    switch (op.kind) {
      case 'logs':
        return this.api.appendLogs(op.jobId, op.batchId, op.lines);
      case 'products':
        return this.api.reportProducts(op.jobId, op.batchId, op.products);
      case 'complete':
        // Products the API never stored must not be taken as gone.
        return this.api.completeRun(op.jobId, this.productsRefused ? { ...op.result, listingComplete: false } : op.result);
    }
  }
}

/** The run folders a stopped runner left in its spool folder. */
export function leftoverOutboxDirs(spoolDir: string): string[] {
  try {
    return readdirSync(spoolDir)
      .filter((f) => /^job-\d+$/.test(f))
      .map((f) => path.join(spoolDir, f));
  } catch {
    return [];
  }
}
