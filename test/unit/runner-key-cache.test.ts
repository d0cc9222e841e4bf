import { describe, expect, it } from 'vitest';
import type { PgListener } from '../../server/db/listener.ts';
import { RunnerKeyCache } from '../../server/auth/runnerKeyCache.ts';

/** Only whether the LISTEN connection is up matters to what the cache trusts; the channels are exercised against PostgreSQL elsewhere. */
const listenerThat = (state: { connected: boolean }) => ({ get connected() { return state.connected; } }) as PgListener;
const identity = (runnerId: number) => ({ runnerId, runnerName: `runner-${runnerId}`, labels: [] });

describe('the runner keys an instance keeps', () => {
  it('does not keep a lookup that began before a runner was forgotten', () => {
    const cache = new RunnerKeyCache(listenerThat({ connected: true }));
    const mark = cache.mark();
    cache.forget(7);
    cache.set('hash-7', identity(7), mark);
    expect(cache.get('hash-7')).toBeUndefined();
    cache.set('hash-7', identity(7), cache.mark());
    expect(cache.get('hash-7')).toEqual(identity(7));
    expect(cache.answered).toEqual({ kept: 1, lookedUp: 1 });
  });

  it('forgets only the runner named, and everything when cleared', () => {
    const cache = new RunnerKeyCache(listenerThat({ connected: true }));
    cache.set('hash-1', identity(1), cache.mark());
    cache.set('hash-2', identity(2), cache.mark());
    cache.forget(1);
    expect(cache.get('hash-1')).toBeUndefined();
    expect(cache.get('hash-2')).toEqual(identity(2));
    cache.clear();
    expect(cache.get('hash-2')).toBeUndefined();
  });

  it('trusts and keeps nothing while it cannot hear announcements', () => {
    const state = { connected: true };
    const cache = new RunnerKeyCache(listenerThat(state));
    cache.set('hash-1', identity(1), cache.mark());
    state.connected = false;
    expect(cache.get('hash-1')).toBeUndefined();
    cache.set('hash-2', identity(2), cache.mark());
    state.connected = true;
    expect(cache.get('hash-2')).toBeUndefined();
  });

  it('looks a key up again after five minutes, whatever was announced', () => {
    let now = 0;
    const cache = new RunnerKeyCache(listenerThat({ connected: true }), { now: () => now });
    cache.set('hash-1', identity(1), cache.mark());
    now += 5 * 60_000;
    expect(cache.get('hash-1')).toEqual(identity(1));
    now += 1;
    expect(cache.get('hash-1')).toBeUndefined();
  });
});
