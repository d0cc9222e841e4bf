import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClaimWaiters, waitersForHeap } from '../../server/runs/claimWaiters.ts';

const settled = async (promise: Promise<boolean>) => {
  let value: boolean | undefined;
  void promise.then((v) => (value = v));
  await vi.advanceTimersByTimeAsync(0);
  return value;
};

describe('the line of runners waiting for work', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('wakes the longest-waiting runner that holds every label the run asks for, one per wake-up', async () => {
    const line = new ClaimWaiters({ capacity: 10 });
    const plain = line.enter([], 60_000);
    const eu = line.enter(['eu', 'residential'], 60_000);
    const euToo = line.enter(['eu'], 60_000);
    expect(line.wake(['eu'])).toBe(true);
    expect(await settled(eu.woken)).toBe(true);
    expect(await settled(euToo.woken)).toBeUndefined();
    expect(await settled(plain.woken)).toBeUndefined();
    expect(line.wake(['us'])).toBe(false);
    expect(line.wake([])).toBe(true);
    expect(await settled(plain.woken)).toBe(true);
    expect(line.woken).toBe(2);
    expect(line.size).toBe(1);
  });

  it('ends a wait at a random point of its last quarter, so a fleet falls out of step', async () => {
    const early = new ClaimWaiters({ capacity: 10, random: () => 0 }).enter([], 40_000);
    const late = new ClaimWaiters({ capacity: 10, random: () => 0.999 }).enter([], 40_000);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(await settled(early.woken)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(early.woken)).toBe(false);
    await vi.advanceTimersByTimeAsync(9_980);
    expect(await settled(late.woken)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(20);
    expect(await settled(late.woken)).toBe(false);
  });

  it('turns a runner away at once when the line is full, and ends every wait at shutdown', async () => {
    const line = new ClaimWaiters({ capacity: 2 });
    const waits = [line.enter([], 60_000), line.enter([], 60_000)];
    const third = line.enter([], 60_000);
    expect(await settled(third.woken)).toBe(false);
    expect(line.turnedAway).toBe(1);
    line.close();
    expect(await Promise.all(waits.map((w) => w.woken))).toEqual([false, false]);
    expect(await settled(line.enter([], 60_000).woken)).toBe(false);
  });

  it('leaves the line when its runner hangs up', async () => {
    const line = new ClaimWaiters({ capacity: 2 });
    const hangUp = new AbortController();
    const wait = line.enter([], 60_000, hangUp.signal);
    hangUp.abort();
    expect(await settled(wait.woken)).toBe(false);
    expect(line.size).toBe(0);
  });

  it('hands a wake-up on to the next runner that may take the run, when the woken one will not look', async () => {
    const line = new ClaimWaiters({ capacity: 10 });
    const first = line.enter(['eu'], 60_000);
    const plain = line.enter([], 60_000);
    const second = line.enter(['eu', 'gpu'], 60_000);
    expect(line.wake(['eu'])).toBe(true);
    expect(await settled(first.woken)).toBe(true);
    first.passOn();
    expect(await settled(plain.woken)).toBeUndefined();
    expect(await settled(second.woken)).toBe(true);
    // A runner that was not woken has nothing to pass on.
    const third = line.enter([], 60_000);
    third.leave();
    third.passOn();
    expect(await settled(plain.woken)).toBeUndefined();
    expect(line.woken).toBe(2);
  });

  it('holds as many runners as half the heap allows, at 16 KB each', () => {
    expect(waitersForHeap(384 * 1024 * 1024)).toBe(12288);
    expect(waitersForHeap(1024 * 1024 * 1024)).toBe(32768);
  });
});
