/**
 * Fans stored log lines out to this instance's jobLogs subscribers. One read per announcement per
 * run, shared by all of that run's subscribers, so the cost grows with batches and not with
 * subscribers. A subscription registers before it reads history, so that no line committed
 * during the replay is lost, and every subscriber skips the seqs it has already emitted (see
 * subscriberQueue.ts).
 *
 * A run's log ends with the run: no line is stored once it has ended. When the hub learns that a
 * run ended (from its run_updated announcements), it reads the run's lines up to its last seq once
 * for all subscribers, and each subscriber, once it has everything, gets a final event naming the
 * run's status (and the attempt retrying it) and completes.
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { LiveBus } from '../pubsub/liveBus.ts';
import { releasable } from '../pubsub/releasable.ts';
import { NotFoundError } from '../domainErrors.ts';
import { concurrencyLimit } from '../db/concurrencyLimit.ts';
import type { LogLevelName } from '../../contract/logLevels.ts';
import type { AppendResult } from './appendLogs.ts';
import { MAX_SEQ } from './logCursor.ts';
import { JOB_LOGS_CHANNEL, logAnnouncementPayload, parseLogAnnouncement } from './sql/insertLogBatch.ts';
import { readLogLines, type LogLineRow } from './sql/readLogLines.ts';
import type { RunEnd } from './sql/readRunEnd.ts';
import { RunEndWatch, type RunWatcher } from './runEndWatch.ts';
import { SubscriberQueue, type LogEvent, type QueueLimits, type SharedEvents } from './subscriberQueue.ts';

const READ_CHUNK = 5000;
/** Replay reads at once, of the pool's 20 connections. */
const REPLAY_READS_AT_ONCE = 4;
/**
 * Message characters a subscriber may have waiting, whatever the line count: 10 000 lines of
 * 64 KiB would otherwise be 640 MB held for one stalled browser tab.
 */
const MAX_QUEUED_CHARS = 16 * 1024 * 1024;

type RunChannel = {
  subscribers: Set<SubscriberQueue>;
  /**
   * Where the next read of the run starts: the highest seq handed to its subscribers, read or
   * stored here (or where a first read that failed started); null before the first read.
   */
  readThrough: number | null;
  reading: Promise<void>;
  /**
   * The read waiting behind the one in progress, if any: every announcement that comes meanwhile
   * widens it instead of queueing a read of its own, so that a run whose batches come faster than
   * one read takes is read in fewer, larger pieces rather than falling further behind.
   */
  nextRead: { after: number; through: number } | null;
  /**
   * Batches this instance stored past a seq its subscribers have not been given yet (their answers
   * came before an earlier batch's), by fromSeq: handed over as soon as what comes before them is.
   */
  held: Map<number, LogLineRow[]>;
  heldLines: number;
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
  private stopReconnects: (() => void) | null = null;

  private readonly pool: pg.Pool;
  private readonly bus: LiveBus;
  private readonly logger: Logger;
  private readonly limits: QueueLimits;
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
    this.limits = { lines: queueLimit, chars: MAX_QUEUED_CHARS };
    this.runWatcher = runWatcher;
  }

  async start(): Promise<void> {
    this.stopListening = await this.bus.on(JOB_LOGS_CHANNEL, (payload) => this.onAnnouncement(payload));
    this.stopReconnects = this.bus.onReconnect(() => this.replayAfterReconnect());
  }

  /**
   * A batch appended through this instance, once committed. On a bus other than NOTIFY it is
   * announced to every instance now (NOTIFY announced it at commit); a retry is announced again, since
   * the first announcement may be what the failed attempt never got to send.
   *
   * A batch stored now goes to this instance's own subscribers at once, without reading it back (the
   * announcement's read, if already on its way, then finds it handed over). Only a batch that
   * continues what the run's subscribers were given is taken: anything else (another instance's
   * batch committed in between, or nothing handed over yet) is left to the announcements and the
   * reads they start, from the last seq handed over.
   */
  appended(batch: AppendResult): void {
    const { runId, fromSeq, toSeq, stored } = batch;
    if (!this.bus.announcesInTransaction) this.bus.publish(JOB_LOGS_CHANNEL, logAnnouncementPayload({ runId, fromSeq, toSeq }));
    const channel = this.runs.get(runId);
    if (!stored || !channel || stored.lines.length === 0 || channel.readThrough === null || toSeq <= channel.readThrough) return;
    // The rows the batch became, as a read of them would return them.
    const { lines, receivedAt } = stored;
    const rows = lines.map((line, i): LogLineRow => ({
      runId,
      seq: fromSeq + i,
      level: line.level,
      message: line.message,
      timestamp: line.timestamp ?? receivedAt,
      receivedAt,
    }));
    if (fromSeq - 1 === channel.readThrough) {
      this.handOver(channel, rows);
      this.handOverHeld(channel);
    } else if (fromSeq - 1 > channel.readThrough && channel.heldLines + rows.length <= this.limits.lines) {
      // Several batches of one run in flight at once commit in seq order but may be answered in
      // any order: this one waits for those before it (or for the read its announcement starts).
      channel.held.set(fromSeq, rows);
      channel.heldLines += rows.length;
    }
  }

  /** A batch that continues what the run's subscribers were given, handed over without a read. */
  private handOver(channel: RunChannel, rows: LogLineRow[]): void {
    channel.readThrough = rows[rows.length - 1]!.seq;
    this.deliverToAll(channel, rows);
    this.fannedOut.stored++;
  }

  /** Hands over the held batches that now continue the run's lines, and lets go of those a read has passed. */
  private handOverHeld(channel: RunChannel): void {
    if (channel.held.size === 0 || channel.readThrough === null) return;
    for (let next = channel.held.get(channel.readThrough + 1); next; next = channel.held.get(channel.readThrough + 1)) {
      channel.held.delete(next[0]!.seq);
      channel.heldLines -= next.length;
      this.handOver(channel, next);
    }
    for (const [fromSeq, rows] of channel.held) {
      if (rows[rows.length - 1]!.seq > channel.readThrough) continue;
      channel.held.delete(fromSeq);
      channel.heldLines -= rows.length;
    }
  }

  async stop(): Promise<void> {
    this.stopReconnects?.();
    await this.stopListening?.();
    for (const channel of this.runs.values()) {
      channel.endWatch?.stop();
      for (const subscriber of channel.subscribers) subscriber.fail(new Error('Server is shutting down'));
    }
  }

  get subscriberCount(): number {
    let count = 0;
    for (const channel of this.runs.values()) count += channel.subscribers.size;
    return count;
  }

  /** Replays the stored lines after afterSeq, then streams new ones, in seq order, without gap or repeat. */
  subscribe(runId: number, afterSeq: number, minLevel: LogLevelName): AsyncIterableIterator<LogEvent> {
    const subscriber = new SubscriberQueue(runId, afterSeq, minLevel, this.limits);
    return releasable(this.stream(subscriber), () => subscriber.close());
  }

  private async *stream(subscriber: SubscriberQueue): AsyncGenerator<LogEvent> {
    const { runId } = subscriber;
    const channel = this.channel(runId);
    channel.subscribers.add(subscriber);
    try {
      for (;;) {
        subscriber.beginReplay();
        // Known before the pass's last read started, the end means that read found every line there will be.
        let endBeforeRead: RunEnd | null = null;
        // A pass reads until the table has nothing more. Lines dropped from an overflowing buffer were
        // committed before the drop, so a pass that starts after it reads them: repeat until none was dropped.
        do {
          subscriber.beginRead();
          // The next chunk is read while this one is handed over, so that the database and the server work at once.
          let next = this.replayRead(channel, runId, subscriber.throughSeq);
          for (;;) {
            const read = next;
            const { rows, more } = await read.lines;
            endBeforeRead = read.endBefore;
            if (subscriber.closed) return;
            if (rows.length === 0) break;
            if (more) next = this.replayRead(channel, runId, rows[rows.length - 1]!.seq);
            const event = subscriber.replayed(rows);
            if (event) yield event;
            if (!more) break;
          }
        } while (subscriber.overflowed);
        if (endBeforeRead) {
          yield subscriber.finalEvent(endBeforeRead);
          return;
        }
        subscriber.goLive();
        for (;;) {
          const step = subscriber.next(channel.endRead);
          if (step.kind === 'event') {
            yield step.event;
            if (step.event.ended) return;
          } else if (step.kind === 'wait') {
            await subscriber.waitForMore();
          } else if (step.kind === 'read') {
            break;
          } else {
            return;
          }
        }
      }
    } finally {
      channel.subscribers.delete(subscriber);
      if (channel.subscribers.size === 0 && this.runs.get(runId) === channel) {
        this.runs.delete(runId);
        channel.endWatch?.stop();
      }
    }
  }

  /**
   * One read of a replay, and the end known before it started. A read that nobody awaits (its
   * subscriber left) must not fail unhandled: its failure is seen by whoever awaits it.
   */
  private replayRead(channel: RunChannel, runId: number, afterSeq: number) {
    const endBefore = channel.endWatch?.end ?? null;
    const lines = this.replaySlot(() => readLogLines(this.pool, runId, afterSeq, MAX_SEQ, READ_CHUNK));
    lines.catch(() => {});
    return { endBefore, lines };
  }

  private channel(runId: number): RunChannel {
    let channel = this.runs.get(runId);
    if (!channel) {
      const created: RunChannel = {
        subscribers: new Set(),
        readThrough: null,
        reading: Promise.resolve(),
        nextRead: null,
        held: new Map(),
        heldLines: 0,
        endWatch: null,
        endRead: null,
      };
      this.runs.set(runId, (channel = created));
      created.endWatch = new RunEndWatch(this.pool, this.logger, runId, this.runWatcher, {
        onEnd: (end) => this.ended(runId, created, end),
        onMissing: () => {
          for (const subscriber of created.subscribers) subscriber.fail(new NotFoundError('Run', String(runId)));
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
      for (const subscriber of channel.subscribers) subscriber.poke();
    });
  }

  private onAnnouncement(payload: string): void {
    const announcement = parseLogAnnouncement(payload);
    if (!announcement) {
      this.logger.warn({ payload }, 'ignoring malformed job_logs announcement');
      return;
    }
    const { runId, fromSeq, toSeq } = announcement;
    const channel = this.runs.get(runId);
    if (!channel) return;
    // An announcement lost in transit leaves a hole; reading from the last seq read closes it. (Before
    // the first read, a subscriber that misses lines finds out by their seqs, see SubscriberQueue.offer.)
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

  /**
   * Reads of one run are chained, so that its subscribers see batches in seq order; a read asked
   * for while another waits its turn joins it (see RunChannel.nextRead).
   */
  private read(runId: number, channel: RunChannel, afterSeq: number, throughSeq: number): void {
    if (channel.nextRead) {
      channel.nextRead.after = Math.min(channel.nextRead.after, afterSeq);
      channel.nextRead.through = Math.max(channel.nextRead.through, throughSeq);
      return;
    }
    const wanted = (channel.nextRead = { after: afterSeq, through: throughSeq });
    channel.reading = channel.reading.then(async () => {
      channel.nextRead = null;
      let after = Math.max(wanted.after, channel.readThrough ?? wanted.after);
      try {
        while (after < wanted.through) {
          const { rows, more } = await readLogLines(this.pool, runId, after, wanted.through, READ_CHUNK);
          if (rows.length === 0) break;
          after = rows[rows.length - 1]!.seq;
          // Lines handed over while the read was on its way are skipped by each subscriber.
          if (after > (channel.readThrough ?? 0)) {
            channel.readThrough = after;
            this.deliverToAll(channel, rows);
            this.fannedOut.read++;
          }
          this.handOverHeld(channel);
          if (!more) break;
        }
      } catch (error) {
        // The lines stay in the table: the next announcement or reconnect reads them, from here.
        channel.readThrough ??= after;
        this.logger.error({ err: error, runId }, 'reading log lines for subscribers failed');
      }
    });
  }

  private deliverToAll(channel: RunChannel, rows: LogLineRow[]): void {
    // Subscribers of the run with the same filter get the same event object: what the API
    // makes of an event (its execution, its JSON) is then done once for all of them.
    const shared: SharedEvents = new Map();
    for (const subscriber of channel.subscribers) if (!subscriber.failure) subscriber.offer(rows, shared);
  }
}
