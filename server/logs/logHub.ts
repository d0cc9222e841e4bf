/**
 * Fans stored log lines out to this instance's jobLogs subscribers. One read per NOTIFY per run,
 * shared by all of that run's subscribers, so the cost grows with batches and not with
 * subscribers. A subscription registers before it reads history, so that no line committed
 * during the replay is lost, and every subscriber skips the seqs it has already emitted.
 *
 * A run's log ends with the run: no line is stored once it has ended. When the hub learns that a
 * run ended (from its run_updated notifications), it reads the run's lines up to its last seq once
 * for all subscribers, and each subscriber, once it has everything, gets a final event naming the
 * run's status (and the attempt retrying it) and completes.
 */
import type pg from 'pg';
import { GraphQLError } from 'graphql';
import type { Logger } from '../logger.ts';
import type { LiveBus } from '../pubsub/liveBus.ts';
import { releasable } from '../graphql/releasable.ts';
import { NotFoundError } from '../graphql/errors.ts';
import { concurrencyLimit } from '../db/concurrencyLimit.ts';
import type { LogLevelName } from '../../contract/logLevels.ts';
import { levelRank } from './limits.ts';
import type { LogLineInput, StoredBatch } from './sql/insertLogBatch.ts';
import { readLogLines, type LogLineRow } from './sql/readLogLines.ts';
import type { RunEnd } from './sql/readRunEnd.ts';
import { RunEndWatch, type RunWatcher } from './runEndWatch.ts';

export const JOB_LOGS_CHANNEL = 'job_logs';
const READ_CHUNK = 5000;
/** Replay reads at once, of the pool's 20 connections. */
const REPLAY_READS_AT_ONCE = 4;
/** seq is an int4 column. */
const MAX_SEQ = 2_147_483_647;
/**
 * Message characters a subscriber may have waiting, whatever the line count: 10 000 lines of
 * 64 KiB would otherwise be 640 MB held for one stalled browser tab.
 */
const MAX_QUEUED_CHARS = 16 * 1024 * 1024;

const charsOf = (rows: LogLineRow[]) => {
  let chars = 0;
  for (const row of rows) chars += row.message.length;
  return chars;
};

export type LogEvent = { runId: number; lines: LogLineRow[]; lastSeq: number; ended?: RunEnd };

/** The events made of one read, by subscriber filter (minimum level rank); null when the filter leaves no line. */
type SharedEvents = Map<number, { event: LogEvent; chars: number } | null>;

/**
 * A GraphQLError as well, so that the jobLogs subscription hands it to the client as is: code
 * SUBSCRIBER_TOO_SLOW and the seq to resume after.
 */
export class SubscriberTooSlowError extends GraphQLError {
  readonly resumeAfterSeq: number;

  constructor(resumeAfterSeq: number) {
    super(`Subscriber fell too far behind; resubscribe with afterSeq: ${resumeAfterSeq}`, {
      extensions: { code: 'SUBSCRIBER_TOO_SLOW', resumeAfterSeq },
    });
    this.resumeAfterSeq = resumeAfterSeq;
    this.name = 'SubscriberTooSlowError';
  }
}

type Subscriber = {
  minRank: number;
  /** The highest seq handed to this subscriber (queued or buffered), whether or not its level passed. */
  throughSeq: number;
  /** The lastSeq of the newest event this subscriber has been given: where it resumes. */
  emittedSeq: number;
  live: boolean;
  buffered: LogLineRow[][];
  bufferedLines: number;
  bufferedChars: number;
  /** Set when the buffer overflowed during the replay: the replay reads the table once more instead. */
  overflowed: boolean;
  queue: Array<{ event: LogEvent; chars: number }>;
  queuedLines: number;
  queuedChars: number;
  failure: Error | null;
  /** Set when the client leaves: the stream ends at its next step instead of waiting on. */
  closed: boolean;
  wake: (() => void) | null;
};

type RunChannel = {
  subscribers: Set<Subscriber>;
  /**
   * Where the next read of the run starts: the highest seq handed to its subscribers, read or
   * stored here (or where a first read that failed started); null before the first read.
   */
  readThrough: number | null;
  reading: Promise<void>;
  /** Whether, and how, the run ended. */
  endWatch: RunEndWatch | null;
  /** Set once the hub's read through the end's last seq has been handed to the live subscribers. */
  endRead: RunEnd | null;
};

export class LogHub {
  /** Batches of lines handed to this instance's live subscribers: read back after an announcement, or as this instance stored them. */
  readonly fannedOut = { read: 0, stored: 0 };
  private readonly runs = new Map<number, RunChannel>();
  /**
   * Subscribers read the table on their own (a replay, or catching up) a few at a time: a storm of
   * new subscriptions waits its turn here instead of taking every pooled connection from other requests.
   */
  private readonly replaySlot = concurrencyLimit(REPLAY_READS_AT_ONCE);
  private stopListening: (() => Promise<void>) | null = null;

  private readonly pool: pg.Pool;
  private readonly bus: LiveBus;
  private readonly logger: Logger;
  private readonly queueLimit: number;
  private readonly runWatcher: RunWatcher;

  constructor(
    pool: pg.Pool,
    bus: LiveBus,
    logger: Logger,
    queueLimit: number,
    runWatcher: RunWatcher,
  ) {
    this.pool = pool;
    this.bus = bus;
    this.logger = logger;
    this.queueLimit = queueLimit;
    this.runWatcher = runWatcher;
  }

  async start(): Promise<void> {
    this.stopListening = await this.bus.on(JOB_LOGS_CHANNEL, (payload) => this.onNotification(payload));
    this.bus.onReconnect(() => this.replayAfterReconnect());
  }

  /** Whether appends announce their seq range inside their transaction (NOTIFY) or call announce() after commit. */
  get announcesInTransaction(): boolean {
    return this.bus.announcesInTransaction;
  }

  /** Tells every instance's hub that a run's lines through toSeq are committed (a bus that is not NOTIFY only). */
  announce(runId: number, range: { fromSeq: number; toSeq: number }): void {
    if (!this.bus.announcesInTransaction) this.bus.publish(JOB_LOGS_CHANNEL, `${runId}:${range.fromSeq}:${range.toSeq}`);
  }

  /**
   * A batch this instance has just committed. Its own subscribers take it at once, without reading
   * it back (the announcement's read, if already on its way, then finds it handed over). Only a
   * batch that continues what the run's subscribers were given is taken: anything else (another
   * instance's batch committed in between, or nothing handed over yet) is left to the
   * announcements and the reads they start, from the last seq handed over.
   */
  stored(runId: number, batch: StoredBatch, lines: LogLineInput[]): void {
    const channel = this.runs.get(runId);
    if (!channel || lines.length === 0 || channel.readThrough !== batch.fromSeq - 1) return;
    // The rows the batch became, as a read of them would return them.
    const rows = lines.map((line, i): LogLineRow => ({
      runId,
      seq: batch.fromSeq + i,
      level: line.level,
      message: line.message,
      timestamp: line.timestamp ?? batch.receivedAt,
      receivedAt: batch.receivedAt,
    }));
    channel.readThrough = rows[rows.length - 1]!.seq;
    this.deliverToAll(runId, channel, rows);
    this.fannedOut.stored++;
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
    for (const channel of this.runs.values()) {
      channel.endWatch?.stop();
      for (const subscriber of channel.subscribers) this.fail(subscriber, new Error('Server is shutting down'));
    }
  }

  get subscriberCount(): number {
    let count = 0;
    for (const channel of this.runs.values()) count += channel.subscribers.size;
    return count;
  }

  /** Replays the stored lines after afterSeq, then streams new ones, in seq order, without gap or repeat. */
  subscribe(runId: number, afterSeq: number, minLevel: LogLevelName): AsyncIterableIterator<LogEvent> {
    const subscriber: Subscriber = {
      minRank: levelRank(minLevel),
      throughSeq: afterSeq,
      emittedSeq: afterSeq,
      live: false,
      buffered: [],
      bufferedLines: 0,
      bufferedChars: 0,
      overflowed: false,
      queue: [],
      queuedLines: 0,
      queuedChars: 0,
      failure: null,
      closed: false,
      wake: null,
    };
    return releasable(this.stream(runId, subscriber), () => {
      subscriber.closed = true;
      subscriber.wake?.();
    });
  }

  private async *stream(runId: number, subscriber: Subscriber): AsyncGenerator<LogEvent> {
    const channel = this.channel(runId);
    channel.subscribers.add(subscriber);
    try {
      for (let rereading = false; ; ) {
        const readFrom = subscriber.throughSeq;
        // Known before the pass's last read started, the end means that read found every line there will be.
        let endBeforeRead: RunEnd | null = null;
        // A pass reads until the table has nothing more. Lines dropped from an overflowing buffer were
        // committed before the drop, so a pass that starts after it reads them: repeat until none was dropped.
        do {
          subscriber.overflowed = false;
          for (;;) {
            endBeforeRead = channel.endWatch?.end ?? null;
            const { rows, more } = await this.replaySlot(() => readLogLines(this.pool, runId, subscriber.throughSeq, MAX_SEQ, READ_CHUNK));
            if (subscriber.closed) return;
            if (rows.length === 0) break;
            subscriber.throughSeq = rows[rows.length - 1]!.seq;
            const event = this.eventFor(subscriber, runId, rows);
            if (event) {
              subscriber.emittedSeq = event.lastSeq;
              yield event;
            }
            if (!more) break;
          }
        } while (subscriber.overflowed);
        if (endBeforeRead) {
          yield this.finalEvent(runId, subscriber, endBeforeRead);
          return;
        }
        // Everything committed before the last read is emitted; what came since waits in the buffer.
        // After a skip, a pass that found nothing means the skipped lines are gone (retention): go past them.
        const pastGaps = rereading && subscriber.throughSeq === readFrom;
        subscriber.live = true;
        const buffered = subscriber.buffered.splice(0);
        subscriber.bufferedLines = 0;
        subscriber.bufferedChars = 0;
        for (const rows of buffered) this.enqueue(subscriber, runId, rows, undefined, pastGaps);
        for (;;) {
          const entry = subscriber.queue.shift();
          if (entry) {
            const { event } = entry;
            subscriber.queuedLines -= event.lines.length;
            subscriber.queuedChars -= entry.chars;
            subscriber.emittedSeq = event.lastSeq;
            yield event;
            continue;
          }
          if (subscriber.failure) throw subscriber.failure;
          if (subscriber.closed) return;
          // Lines came past a seq not had yet (see enqueue): read the table from the last seq.
          if (!subscriber.live) break;
          const end = channel.endRead;
          if (end && subscriber.throughSeq >= end.lastSeq) {
            yield this.finalEvent(runId, subscriber, end);
            return;
          }
          // The hub's read of the end did not reach this subscriber (it failed): the table has it all.
          if (end) break;
          await new Promise<void>((resolve) => (subscriber.wake = resolve));
          subscriber.wake = null;
        }
        rereading = true;
      }
    } finally {
      channel.subscribers.delete(subscriber);
      if (channel.subscribers.size === 0 && this.runs.get(runId) === channel) {
        this.runs.delete(runId);
        channel.endWatch?.stop();
      }
    }
  }

  private channel(runId: number): RunChannel {
    let channel = this.runs.get(runId);
    if (!channel) {
      const created: RunChannel = { subscribers: new Set(), readThrough: null, reading: Promise.resolve(), endWatch: null, endRead: null };
      this.runs.set(runId, (channel = created));
      created.endWatch = new RunEndWatch(this.pool, this.logger, runId, this.runWatcher, {
        onEnd: (end) => this.ended(runId, created, end),
        onMissing: () => {
          for (const subscriber of created.subscribers) this.fail(subscriber, new NotFoundError('Run', String(runId)));
        },
      });
    }
    return channel;
  }

  /** The run has ended: its last lines are read once for all, then each subscriber that has them all finishes. */
  private ended(runId: number, channel: RunChannel, end: RunEnd): void {
    this.read(runId, channel, channel.readThrough ?? end.lastSeq, end.lastSeq);
    void channel.reading.then(() => {
      channel.endRead = end;
      for (const subscriber of channel.subscribers) subscriber.wake?.();
    });
  }

  /** The last event of a subscription: no lines, the run's last seq and how it ended. */
  private finalEvent(runId: number, subscriber: Subscriber, end: RunEnd): LogEvent {
    subscriber.emittedSeq = Math.max(subscriber.emittedSeq, end.lastSeq);
    return { runId, lines: [], lastSeq: Math.max(subscriber.throughSeq, end.lastSeq), ended: end };
  }

  private onNotification(payload: string): void {
    const [runText, fromText, toText] = payload.split(':');
    const runId = Number(runText);
    const fromSeq = Number(fromText);
    const toSeq = Number(toText);
    if (!Number.isInteger(runId) || !Number.isInteger(fromSeq) || !Number.isInteger(toSeq)) {
      this.logger.warn({ payload }, 'ignoring malformed job_logs notification');
      return;
    }
    const channel = this.runs.get(runId);
    if (!channel) return;
    // A notification lost in transit leaves a hole; reading from the last seq read closes it. (Before
    // the first read, a subscriber that misses lines finds out by their seqs, see enqueue.)
    const after = channel.readThrough === null ? fromSeq - 1 : Math.min(channel.readThrough, fromSeq - 1);
    this.read(runId, channel, after, toSeq);
  }

  private replayAfterReconnect(): void {
    for (const [runId, channel] of this.runs) {
      let after = MAX_SEQ;
      for (const subscriber of channel.subscribers) after = Math.min(after, subscriber.throughSeq);
      if (channel.readThrough !== null) after = Math.min(after, channel.readThrough);
      this.read(runId, channel, after, MAX_SEQ);
    }
  }

  /** Reads of one run are chained, so that its subscribers see batches in seq order. */
  private read(runId: number, channel: RunChannel, afterSeq: number, throughSeq: number): void {
    channel.reading = channel.reading.then(async () => {
      let after = Math.max(afterSeq, channel.readThrough ?? afterSeq);
      try {
        while (after < throughSeq) {
          const { rows, more } = await readLogLines(this.pool, runId, after, throughSeq, READ_CHUNK);
          if (rows.length === 0) break;
          after = rows[rows.length - 1]!.seq;
          channel.readThrough = Math.max(channel.readThrough ?? after, after);
          this.deliverToAll(runId, channel, rows);
          this.fannedOut.read++;
          if (!more) break;
        }
      } catch (error) {
        // The lines stay in the table: the next notification or reconnect reads them, from here.
        channel.readThrough ??= after;
        this.logger.error({ err: error, runId }, 'reading log lines for subscribers failed');
      }
    });
  }

  private deliverToAll(runId: number, channel: RunChannel, rows: LogLineRow[]): void {
    // Subscribers of the run with the same filter get the same event object: what the API
    // makes of an event (its execution, its JSON) is then done once for all of them.
    const shared: SharedEvents = new Map();
    for (const subscriber of channel.subscribers) if (!subscriber.failure) this.enqueue(subscriber, runId, rows, shared);
  }

  /** Keeps lines for a subscriber that is reading the table, bounded like the live queue. */
  private buffer(subscriber: Subscriber, rows: LogLineRow[]): void {
    // A replaying subscriber is not slow, the table still has the lines: it reads them again.
    const chars = charsOf(rows);
    if (subscriber.bufferedLines + rows.length > this.queueLimit || subscriber.bufferedChars + chars > MAX_QUEUED_CHARS) {
      subscriber.buffered = [];
      subscriber.bufferedLines = 0;
      subscriber.bufferedChars = 0;
      subscriber.overflowed = true;
      return;
    }
    subscriber.buffered.push(rows);
    subscriber.bufferedLines += rows.length;
    subscriber.bufferedChars += chars;
  }

  private enqueue(subscriber: Subscriber, runId: number, rows: LogLineRow[], shared?: SharedEvents, pastGaps = false): void {
    // Not live: replaying, or a skip was seen, even within one drain of the buffer; the table fills it in.
    if (!subscriber.live) return this.buffer(subscriber, rows);
    const whole = rows[0]!.seq > subscriber.throughSeq;
    const fresh = whole ? rows : rows.filter((r) => r.seq > subscriber.throughSeq);
    if (fresh.length === 0) return;
    // seqs have no holes: lines past the next one mean some were never handed to this subscriber.
    if (fresh[0]!.seq > subscriber.throughSeq + 1 && !pastGaps) {
      // Back to reading the table, from the stream's live loop.
      subscriber.live = false;
      this.buffer(subscriber, fresh);
      subscriber.wake?.();
      return;
    }
    subscriber.throughSeq = fresh[fresh.length - 1]!.seq;
    // Only a subscriber that takes the whole read shares its event; one that had part of it already gets its own.
    const share = whole ? shared : undefined;
    let entry = share?.get(subscriber.minRank);
    if (entry === undefined) {
      const event = this.eventFor(subscriber, runId, fresh);
      entry = event ? { event, chars: charsOf(event.lines) } : null;
      share?.set(subscriber.minRank, entry);
    }
    if (!entry) return;
    const { event, chars } = entry;
    // Behind means lines already waiting: one batch larger than the limit, into an empty queue, is not.
    const over = subscriber.queuedLines + event.lines.length > this.queueLimit || subscriber.queuedChars + chars > MAX_QUEUED_CHARS;
    if (subscriber.queue.length > 0 && over) {
      subscriber.queue = [];
      subscriber.queuedLines = 0;
      subscriber.queuedChars = 0;
      this.fail(subscriber, new SubscriberTooSlowError(subscriber.emittedSeq));
      return;
    }
    subscriber.queue.push(entry);
    subscriber.queuedLines += event.lines.length;
    subscriber.queuedChars += chars;
    subscriber.wake?.();
  }

  private eventFor(subscriber: Subscriber, runId: number, rows: LogLineRow[]): LogEvent | null {
    const lastSeq = rows[rows.length - 1]!.seq;
    const lines = subscriber.minRank === 0 ? rows : rows.filter((r) => levelRank(r.level) >= subscriber.minRank);
    return lines.length > 0 ? { runId, lines, lastSeq } : null;
  }

  private fail(subscriber: Subscriber, error: Error): void {
    subscriber.failure = error;
    subscriber.wake?.();
  }
}
