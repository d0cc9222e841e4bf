/** Token buckets per API key, token and client IP: how many calls pass, when the next one may come, and who counts as whom. */
import type { IncomingMessage } from 'node:http';
import { parse } from 'graphql';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../server/auth/principal.ts';
import { clientIp, createRateLimits, principalKey, TokenBuckets } from '../../server/http/rateLimits.ts';
import { mutationRetryAfter, RATE_LIMITED, RateLimitedError, useMutationRateLimit } from '../../server/graphql/plugins/mutationRateLimit.ts';

const T0 = 1_800_000_000_000;

describe('TokenBuckets', () => {
  it('lets a full minute’s worth through at once, then says how long until the next token', () => {
    const limiter = new TokenBuckets(60);
    for (let i = 0; i < 60; i++) expect(limiter.take('k', T0)).toBe(0);
    expect(limiter.take('k', T0)).toBe(1);
  });

  it('refills continuously: one token a second at 60 a minute', () => {
    const limiter = new TokenBuckets(60);
    for (let i = 0; i < 60; i++) limiter.take('k', T0);
    expect(limiter.take('k', T0 + 500)).toBe(1);
    expect(limiter.take('k', T0 + 1_000)).toBe(0);
    expect(limiter.take('k', T0 + 1_000)).toBe(1);
  });

  it('answers the whole seconds left until a token is back', () => {
    const limiter = new TokenBuckets(6); // a token every 10 s
    for (let i = 0; i < 6; i++) limiter.take('k', T0);
    expect(limiter.take('k', T0)).toBe(10);
    expect(limiter.take('k', T0 + 4_000)).toBe(6);
    expect(limiter.take('k', T0 + 9_100)).toBe(1);
    expect(limiter.take('k', T0 + 10_000)).toBe(0);
  });

  it('saves up no more than a minute’s worth, however long a key was idle', () => {
    const limiter = new TokenBuckets(3);
    limiter.take('k', T0);
    const hourLater = T0 + 3_600_000;
    expect([1, 2, 3, 4].map(() => limiter.take('k', hourLater))).toEqual([0, 0, 0, 20]);
  });

  it('counts every key on its own', () => {
    const limiter = new TokenBuckets(1);
    expect(limiter.take('a', T0)).toBe(0);
    expect(limiter.take('a', T0)).toBeGreaterThan(0);
    expect(limiter.take('b', T0)).toBe(0);
  });

  it('limits nothing at 0 a minute', () => {
    const limiter = new TokenBuckets(0);
    for (let i = 0; i < 1_000; i++) expect(limiter.take('k', T0)).toBe(0);
  });

  it('forgets the oldest keys past its bound rather than grow, so those start afresh', () => {
    const limiter = new TokenBuckets(1, 2);
    limiter.take('a', T0);
    limiter.take('b', T0);
    expect(limiter.take('a', T0 + 1)).toBeGreaterThan(0);
    // A third key while both are busy: the older half (a) goes.
    expect(limiter.take('c', T0 + 2)).toBe(0);
    expect(limiter.take('a', T0 + 3)).toBe(0);
    // c was kept: still limited.
    expect(limiter.take('c', T0 + 4)).toBeGreaterThan(0);
  });
});

describe('principalKey', () => {
  it('counts runners by runner, tokens by token, the bootstrap admin as one, and anonymous callers by IP only', () => {
    const cases: Array<[Principal, string | null]> = [
      [{ kind: 'runner', runnerId: 7, runnerName: 'r7', labels: [] }, 'runner:7'],
      [{ kind: 'viewer', tokenId: 3 }, 'token:3'],
      [{ kind: 'admin', tokenId: 5 }, 'token:5'],
      [{ kind: 'admin', tokenId: null }, 'admin'],
      [{ kind: 'anonymous' }, null],
    ];
    for (const [principal, key] of cases) expect(principalKey(principal)).toBe(key);
  });
});

describe('clientIp', () => {
  const request = (remoteAddress: string | undefined, forwardedFor?: string | string[]) =>
    ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

  it('is the socket’s address unless the proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientIp(request('10.0.0.5', '203.0.113.9'), false)).toBe('10.0.0.5');
  });

  it('is the first X-Forwarded-For hop behind a trusted proxy', () => {
    expect(clientIp(request('10.0.0.5', ' 203.0.113.9 , 10.0.0.1'), true)).toBe('203.0.113.9');
    expect(clientIp(request('10.0.0.5', ['198.51.100.7, 10.0.0.1', '192.0.2.1']), true)).toBe('198.51.100.7');
  });

  it('falls back to the socket when the header is missing or empty, and caps what a header can make it', () => {
    expect(clientIp(request('10.0.0.5'), true)).toBe('10.0.0.5');
    expect(clientIp(request('10.0.0.5', ''), true)).toBe('10.0.0.5');
    expect(clientIp(request('10.0.0.5', 'x'.repeat(500)), true)).toHaveLength(64);
    expect(clientIp(request(undefined), false)).toBe('unknown');
    expect(clientIp(undefined, true)).toBe('unknown');
  });
});

describe('mutation limits', () => {
  beforeEach(() => {
    // The limiters read the clock themselves here: a stopped clock refills nothing during the test.
    vi.useFakeTimers({ now: T0, toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const limits = () => createRateLimits({ rateLimitMutationsPerMinute: 2, rateLimitIpMutationsPerMinute: 3, rateLimitConnectionsPerMinute: 0 });
  const runner = (runnerId: number): Principal => ({ kind: 'runner', runnerId, runnerName: `r${runnerId}`, labels: [] });

  it('count a caller by its key first, then by its IP, spending an IP token only on calls its key allows', () => {
    const shared = limits();
    expect(mutationRetryAfter(shared, runner(1), '192.0.2.1')).toBe(0);
    expect(mutationRetryAfter(shared, runner(1), '192.0.2.1')).toBe(0);
    expect(mutationRetryAfter(shared, runner(1), '192.0.2.1')).toBe(30); // its key: 2 a minute
    // Another runner behind the same address has its own key; the address has one call left.
    expect(mutationRetryAfter(shared, runner(2), '192.0.2.1')).toBe(0);
    expect(mutationRetryAfter(shared, runner(2), '192.0.2.1')).toBe(20); // the address: 3 a minute
    // Another address is counted apart.
    expect(mutationRetryAfter(shared, runner(3), '192.0.2.2')).toBe(0);
  });

  it('count anonymous callers by IP alone', () => {
    const shared = limits();
    for (let i = 0; i < 3; i++) expect(mutationRetryAfter(shared, { kind: 'anonymous' }, '192.0.2.1')).toBe(0);
    expect(mutationRetryAfter(shared, { kind: 'anonymous' }, '192.0.2.1')).toBeGreaterThan(0);
  });

  it('refuse mutations only, with RATE_LIMITED, the wait, and a 429 over HTTP', () => {
    const plugin = useMutationRateLimit(limits());
    const run = (source: string) => {
      const refused: RateLimitedError[] = [];
      plugin.onExecute({
        args: { document: parse(source), contextValue: { principal: runner(1), clientIp: '192.0.2.1' } },
        setResultAndStopExecution: (result) => refused.push(...(result.errors as RateLimitedError[])),
      });
      return refused;
    };
    for (let i = 0; i < 5; i++) expect(run('{ runners { id } }')).toEqual([]);
    expect(run('mutation { a }')).toEqual([]);
    expect(run('mutation { a }')).toEqual([]);
    const [error] = run('mutation { a }');
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error!.message).toBe('Too many mutations; retry after 30 s');
    expect(error!.extensions).toEqual({ code: RATE_LIMITED, retryAfter: 30, http: { status: 429, headers: { 'retry-after': '30' } } });
    // Queries still pass once mutations are refused.
    expect(run('query { runners { id } }')).toEqual([]);
  });
});
