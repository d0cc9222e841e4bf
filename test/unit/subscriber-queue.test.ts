/** A jobLogs subscriber's queue: seq order without gap or repeat, level filters, bounds, the end of a run, and resuming. */
import { describe, expect, it } from 'vitest';
import { SubscriberTooSlowError } from '../../server/logs/errors.ts';
import type { LogLevelName } from '../../contract/logLevels.ts';
import type { LogLineRow } from '../../server/logs/sql/readLogLines.ts';
import { SubscriberQueue, type LogEvent, type SharedEvents } from '../../server/logs/subscriberQueue.ts';

const RUN = 7;
const LIMITS = { lines: 100, chars: 1_000_000 };
const at = new Date('2024-01-01T00:00:00.000Z');

/** Stored lines fromSeq..toSeq, with the levels given in turn (INFO when none). */
function rows(fromSeq: number, toSeq: number, levels: LogLevelName[] = ['INFO'], message = 'line'): LogLineRow[] {
  return Array.from({ length: toSeq - fromSeq + 1 }, (_, i) => ({
    runId: RUN,
    seq: fromSeq + i,
    level: levels[i % levels.length]!,
    message,
    timestamp: at,
    receivedAt: at,
  }));
}

/** A subscriber that has replayed the table through `throughSeq` (nothing when 0) and gone live. */
function liveQueue(throughSeq = 0, options: { afterSeq?: number; minLevel?: LogLevelName; limits?: typeof LIMITS } = {}) {
  const queue = new SubscriberQueue(RUN, options.afterSeq ?? 0, options.minLevel ?? 'DEBUG', options.limits ?? LIMITS);
  queue.beginReplay();
  queue.beginRead();
  if (throughSeq > (options.afterSeq ?? 0)) queue.replayed(rows((options.afterSeq ?? 0) + 1, throughSeq));
  queue.goLive();
  return queue;
}

/** Every event the queue has ready, then the step that follows them. */
function drain(queue: SubscriberQueue, end: Parameters<SubscriberQueue['next']>[0] = null): { events: LogEvent[]; then: string } {
  const events: LogEvent[] = [];
  for (;;) {
    const step = queue.next(end);
    if (step.kind !== 'event') return { events, then: step.kind };
    events.push(step.event);
    if (step.event.ended) return { events, then: 'ended' };
  }
}

const seqs = (events: LogEvent[]) => events.flatMap((e) => e.lines.map((l) => l.seq));

describe('a subscriber queue', () => {
  it('replays, then queues what came meanwhile and what comes live, in seq order and without repeats', () => {
    const queue = new SubscriberQueue(RUN, 0, 'DEBUG', LIMITS);
    queue.beginReplay();
    queue.beginRead();
    // A batch committed during the replay is handed over before the replay's read returns it too.
    queue.offer(rows(3, 5));
    expect(queue.replayed(rows(1, 4))?.lastSeq).toBe(4);
    queue.goLive();
    queue.offer(rows(6, 8));
    queue.offer(rows(8, 9));
    const { events, then } = drain(queue);
    expect(seqs(events)).toEqual([5, 6, 7, 8, 9]);
    expect(events.at(-1)!.lastSeq).toBe(9);
    expect(then).toBe('wait');
    expect(queue.emittedSeq).toBe(9);
  });

  it('emits only lines at or above its level, and still moves past the others', () => {
    const queue = liveQueue(0, { minLevel: 'WARNING' });
    queue.offer(rows(1, 4, ['INFO', 'WARNING', 'DEBUG', 'ERROR']));
    queue.offer(rows(5, 6, ['DEBUG']));
    queue.offer(rows(7, 7, ['CRITICAL']));
    const { events } = drain(queue);
    expect(events.map((e) => [e.lines.map((l) => l.seq), e.lastSeq])).toEqual([
      [[2, 4], 4],
      [[7], 7],
    ]);
    expect(queue.throughSeq).toBe(7);
  });

  it('goes back to the table when lines come past a seq it has not had, and emits the missing ones first', () => {
    const queue = liveQueue(3);
    // Another instance's batch 4-6 was announced after this instance's 7-9.
    queue.offer(rows(7, 9));
    expect(drain(queue).then).toBe('read');
    queue.offer(rows(10, 10));
    queue.beginReplay();
    queue.beginRead();
    const replayed = queue.replayed(rows(4, 9));
    queue.goLive();
    const { events, then } = drain(queue);
    expect(seqs([replayed!, ...events])).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(then).toBe('wait');
  });

  it('goes past a gap that a read of the table cannot fill (lines removed by retention)', () => {
    const queue = liveQueue(3);
    queue.offer(rows(7, 9));
    expect(drain(queue).then).toBe('read');
    queue.beginReplay();
    queue.beginRead();
    // The table has nothing after 3: the lines 4-6 are gone.
    queue.goLive();
    expect(seqs(drain(queue).events)).toEqual([7, 8, 9]);
  });

  it('shares one event among subscribers with the same filter that take a whole read', () => {
    const [a, b] = [liveQueue(2), liveQueue(2)];
    const partly = liveQueue(4);
    const shared: SharedEvents = new Map();
    for (const queue of [a, b, partly]) queue.offer(rows(3, 6), shared);
    const first = (queue: SubscriberQueue) => drain(queue).events[0]!;
    expect(first(a!)).toBe(first(b!));
    expect(seqs([first(partly)])).toEqual([5, 6]);
  });

  it('is dropped as too slow once more lines wait than its limit, with the last seq it was given to resume after', () => {
    const queue = liveQueue(0, { limits: { lines: 5, chars: 1_000_000 } });
    queue.offer(rows(1, 2));
    expect(drain(queue).events).toHaveLength(1);
    queue.offer(rows(3, 5));
    queue.offer(rows(6, 8));
    const failure = (() => {
      try {
        drain(queue);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(SubscriberTooSlowError);
    expect((failure as SubscriberTooSlowError).resumeAfterSeq).toBe(2);
  });

  it('takes a single batch larger than its limit into an empty queue, and counts characters as well as lines', () => {
    const big = liveQueue(0, { limits: { lines: 5, chars: 1_000_000 } });
    big.offer(rows(1, 8));
    expect(seqs(drain(big).events)).toHaveLength(8);

    const wordy = liveQueue(0, { limits: { lines: 100, chars: 10 } });
    wordy.offer(rows(1, 1, ['INFO'], 'x'.repeat(8)));
    wordy.offer(rows(2, 2, ['INFO'], 'x'.repeat(8)));
    expect(() => drain(wordy)).toThrow(SubscriberTooSlowError);
  });

  it('drops an overflowing buffer during the replay and asks for another read instead of failing', () => {
    const queue = new SubscriberQueue(RUN, 0, 'DEBUG', { lines: 4, chars: 1_000_000 });
    queue.beginReplay();
    queue.beginRead();
    queue.offer(rows(1, 3));
    queue.offer(rows(4, 6));
    expect(queue.overflowed).toBe(true);
    queue.replayed(rows(1, 6));
    queue.beginRead();
    expect(queue.overflowed).toBe(false);
    queue.goLive();
    expect(drain(queue)).toEqual({ events: [], then: 'wait' });
  });

  it('finishes with an event naming how the run ended once it has every line, and reads the table for lines it lacks', () => {
    const end = { status: 'SUCCESS' as const, lastSeq: 5, retryRunId: null };
    const behind = liveQueue(3);
    expect(drain(behind, end).then).toBe('read');

    const queue = liveQueue(3);
    queue.offer(rows(4, 5));
    const { events, then } = drain(queue, end);
    expect(then).toBe('ended');
    expect(events.at(-1)).toEqual({ runId: RUN, lines: [], lastSeq: 5, ended: end });
    expect(queue.emittedSeq).toBe(5);
  });

  it('resumes after afterSeq: nothing up to it is emitted again', () => {
    const queue = liveQueue(0, { afterSeq: 10 });
    queue.offer(rows(8, 12));
    expect(seqs(drain(queue).events)).toEqual([11, 12]);
  });

  it('wakes a waiting stream when lines come, and ends it when the client leaves', async () => {
    const queue = liveQueue(0);
    const woken = queue.waitForMore();
    queue.offer(rows(1, 1));
    await woken;
    expect(seqs(drain(queue).events)).toEqual([1]);
    const waiting = queue.waitForMore();
    queue.close();
    await waiting;
    expect(queue.next(null)).toEqual({ kind: 'done' });
  });
});
