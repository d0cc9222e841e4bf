/**
 * One jobLogs subscriber's place in its run's log: what it has been handed (throughSeq), what it
 * has emitted (emittedSeq, where it resumes), the lines that wait for it, and whether it fell too
 * far behind. The log hub reads the table and hands lines over; this unit keeps them in seq order,
 * without gap or repeat, within bounds.
 *
 * A subscriber starts by replaying the table; lines handed over meanwhile are buffered, and queued
 * as events once it goes live. Lines past a seq it has not had mean a gap (a batch announced before
 * an earlier one): it goes back to reading the table from its last seq.
 */
import { SubscriberTooSlowError } from './errors.ts';
import { levelRank, type LogLevelName } from '../../contract/logLevels.ts';
import type { LogLineRow } from './sql/readLogLines.ts';
import type { RunEnd } from './sql/readRunEnd.ts';

export type LogEvent = { runId: number; lines: LogLineRow[]; lastSeq: number; ended?: RunEnd };

type QueuedEvent = { event: LogEvent; chars: number };

/** The events made of one read, by subscriber filter (minimum level rank); null when the filter leaves no line. */
export type SharedEvents = Map<number, QueuedEvent | null>;

/** What a subscriber may have waiting: lines, and message characters whatever the line count. */
export type QueueLimits = { lines: number; chars: number };

/** What the live stream does next: emit an event (the last one carries `ended`), wait, read the table, or stop. */
export type LiveStep = { kind: 'event'; event: LogEvent } | { kind: 'wait' } | { kind: 'read' } | { kind: 'done' };

const charsOf = (rows: LogLineRow[]) => {
  let chars = 0;
  for (const row of rows) chars += row.message.length;
  return chars;
};

export class SubscriberQueue {
  readonly runId: number;
  private readonly minRank: number;
  private readonly limits: QueueLimits;
  /** The highest seq handed to this subscriber (queued or buffered), whether or not its level passed. */
  private through: number;
  /** The lastSeq of the newest event this subscriber has been given: where it resumes. */
  private emitted: number;
  private live = false;
  /** Replay passes begun, and the seq the latest one started from. */
  private passes = 0;
  private passStart = 0;
  private buffered: LogLineRow[][] = [];
  private bufferedLines = 0;
  private bufferedChars = 0;
  /** Set when the buffer overflowed during the replay: the replay reads the table once more instead. */
  private overflow = false;
  private queue: QueuedEvent[] = [];
  private queuedLines = 0;
  private queuedChars = 0;
  private failed: Error | null = null;
  /** Set when the client leaves: the stream ends at its next step instead of waiting on. */
  private left = false;
  private wake: (() => void) | null = null;

  constructor(runId: number, afterSeq: number, minLevel: LogLevelName, limits: QueueLimits) {
    this.runId = runId;
    this.minRank = levelRank(minLevel);
    this.limits = limits;
    this.through = afterSeq;
    this.emitted = afterSeq;
  }

  get throughSeq(): number {
    return this.through;
  }

  get emittedSeq(): number {
    return this.emitted;
  }

  get failure(): Error | null {
    return this.failed;
  }

  get closed(): boolean {
    return this.left;
  }

  /** Whether lines were dropped from the buffer since the last beginRead: the replay reads the table again. */
  get overflowed(): boolean {
    return this.overflow;
  }

  /** A pass of reading the table begins, from throughSeq. */
  beginReplay(): void {
    this.passes++;
    this.passStart = this.through;
  }

  /** A read of the table through its end begins: a buffer that overflows from here on asks for another. */
  beginRead(): void {
    this.overflow = false;
  }

  /** Lines this subscriber read from the table itself, after throughSeq: its event, or null when its filter leaves none. */
  replayed(rows: LogLineRow[]): LogEvent | null {
    this.through = rows[rows.length - 1]!.seq;
    const event = this.eventFor(rows);
    if (event) this.emitted = event.lastSeq;
    return event;
  }

  /**
   * The replay has emitted everything committed before its last read; what came since waits in the
   * buffer, and is queued now. After a gap, a pass that found nothing new means the missing lines
   * are gone (retention): the queue goes past them.
   */
  goLive(): void {
    const pastGaps = this.passes > 1 && this.through === this.passStart;
    this.live = true;
    const buffered = this.buffered.splice(0);
    this.bufferedLines = 0;
    this.bufferedChars = 0;
    for (const rows of buffered) this.offer(rows, undefined, pastGaps);
  }

  /**
   * Lines of the run in seq order, read or stored by the hub. Those already handed over are
   * skipped; the event of a whole read is shared (through `shared`) with the run's other
   * subscribers of the same filter. One that is behind by more than the limits fails with
   * SubscriberTooSlowError (a single batch larger than the limits, into an empty queue, does not).
   */
  offer(rows: LogLineRow[], shared?: SharedEvents, pastGaps = false): void {
    // Not live: replaying, or a skip was seen, even within one drain of the buffer; the table fills it in.
    if (!this.live) return this.buffer(rows);
    const whole = rows[0]!.seq > this.through;
    const fresh = whole ? rows : rows.filter((r) => r.seq > this.through);
    if (fresh.length === 0) return;
    // seqs have no holes: lines past the next one mean some were never handed to this subscriber.
    if (fresh[0]!.seq > this.through + 1 && !pastGaps) {
      // Back to reading the table, from the stream's live loop.
      this.live = false;
      this.buffer(fresh);
      this.wake?.();
      return;
    }
    this.through = fresh[fresh.length - 1]!.seq;
    // Only a subscriber that takes the whole read shares its event; one that had part of it already gets its own.
    const share = whole ? shared : undefined;
    let entry = share?.get(this.minRank);
    if (entry === undefined) {
      const event = this.eventFor(fresh);
      entry = event ? { event, chars: charsOf(event.lines) } : null;
      share?.set(this.minRank, entry);
    }
    if (!entry) return;
    const { event, chars } = entry;
    const over = this.queuedLines + event.lines.length > this.limits.lines || this.queuedChars + chars > this.limits.chars;
    if (this.queue.length > 0 && over) {
      this.queue = [];
      this.queuedLines = 0;
      this.queuedChars = 0;
      this.fail(new SubscriberTooSlowError(this.emitted));
      return;
    }
    this.queue.push(entry);
    this.queuedLines += event.lines.length;
    this.queuedChars += chars;
    this.wake?.();
  }

  /**
   * The live stream's next step. `end` is how the run ended once the hub has read its lines through
   * the end for its live subscribers (null before): a subscriber that has them all finishes.
   */
  next(end: RunEnd | null): LiveStep {
    const entry = this.queue.shift();
    if (entry) {
      this.queuedLines -= entry.event.lines.length;
      this.queuedChars -= entry.chars;
      this.emitted = entry.event.lastSeq;
      return { kind: 'event', event: entry.event };
    }
    if (this.failed) throw this.failed;
    if (this.left) return { kind: 'done' };
    // Lines came past a seq not had yet (see offer): read the table from the last seq.
    if (!this.live) return { kind: 'read' };
    if (end && this.through >= end.lastSeq) return { kind: 'event', event: this.finalEvent(end) };
    // The hub's read of the end did not reach this subscriber (it failed): the table has it all.
    if (end) return { kind: 'read' };
    return { kind: 'wait' };
  }

  /** Resolves when there may be a next step: lines, a failure, the client leaving, or the run's end. */
  waitForMore(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve)).then(() => {
      this.wake = null;
    });
  }

  /** Wakes a waiting stream to look again (the hub has read the run's end). */
  poke(): void {
    this.wake?.();
  }

  /** The last event of a subscription: no lines, the run's last seq and how it ended. */
  finalEvent(end: RunEnd): LogEvent {
    this.emitted = Math.max(this.emitted, end.lastSeq);
    return { runId: this.runId, lines: [], lastSeq: Math.max(this.through, end.lastSeq), ended: end };
  }

  fail(error: Error): void {
    this.failed = error;
    this.wake?.();
  }

  close(): void {
    this.left = true;
    this.wake?.();
  }

  /** Keeps lines for a subscriber that is reading the table, bounded like the live queue. */
  private buffer(rows: LogLineRow[]): void {
    // A replaying subscriber is not slow, the table still has the lines: it reads them again.
    const chars = charsOf(rows);
    if (this.bufferedLines + rows.length > this.limits.lines || this.bufferedChars + chars > this.limits.chars) {
      this.buffered = [];
      this.bufferedLines = 0;
      this.bufferedChars = 0;
      this.overflow = true;
      return;
    }
    this.buffered.push(rows);
    this.bufferedLines += rows.length;
    this.bufferedChars += chars;
  }

  private eventFor(rows: LogLineRow[]): LogEvent | null {
    const lastSeq = rows[rows.length - 1]!.seq;
    const lines = this.minRank === 0 ? rows : rows.filter((r) => levelRank(r.level) >= this.minRank);
    return lines.length > 0 ? { runId: this.runId, lines, lastSeq } : null;
  }
}
