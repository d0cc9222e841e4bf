/** The waits between retries that the server's LISTEN connection and the runner share. */
import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from '../../contract/backoff.ts';

describe('backoffDelay', () => {
  it('doubles from the base wait with each attempt', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, { baseMs: 250 }))).toEqual([250, 500, 1000, 2000]);
  });

  it('stops growing at the cap, however many attempts fail', () => {
    const backoff = { baseMs: 200, maxMs: 5_000 };
    expect([4, 5, 10, 2_000].map((attempt) => backoffDelay(attempt, backoff))).toEqual([3_200, 5_000, 5_000, 5_000]);
  });

  it('with jitter, waits between half and all of the wait, so that clients cut off together spread out', () => {
    const backoff = { baseMs: 100, maxMs: 5_000, jitter: true };
    expect(backoffDelay(3, backoff, () => 0)).toBe(400);
    expect(backoffDelay(3, backoff, () => 0.5)).toBe(600);
    expect(backoffDelay(3, backoff, () => 0.999_999)).toBeCloseTo(800);
    expect(backoffDelay(50, backoff, () => 0)).toBe(2_500);
  });
});

describe('sleep', () => {
  it('ends early when its signal aborts, and at once when it was aborted already', async () => {
    const stop = new AbortController();
    const started = performance.now();
    const waited = sleep(60_000, stop.signal);
    stop.abort();
    await waited;
    await sleep(60_000, stop.signal);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('waits its time without a signal', async () => {
    const started = performance.now();
    await sleep(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });
});
