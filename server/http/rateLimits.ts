/**
 * Rate limits on mutations (per API key and per client IP) and on websocket connections: token
 * buckets held in this instance's memory. Behind a load balancer each instance counts its own
 * share, so an operator sets the limits per instance. Mutations are refused by a GraphQL plugin
 * (graphql/plugins/mutationRateLimit.ts), connections when the websocket opens.
 */
import type { IncomingMessage } from 'node:http';
import { credentialKey } from '../auth/openConnections.ts';
import type { Principal } from '../auth/principal.ts';

/**
 * Close code of a connection refused by a limit: 4430, near HTTP's 429 but not graphql-ws's own
 * 4429 (too many initialisation requests), which its client treats as fatal; on 4430 it retries
 * with backoff, which is what a rate-limited client should do.
 */
export const CLOSE_RATE_LIMITED = 4430;

type Bucket = { tokens: number; at: number };

/** Token buckets of `perMinute` tokens each, refilled continuously; 0 turns the limit off. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  private readonly perMinute: number;
  /** Past this many keys, full (idle) buckets are forgotten: an IP sweep cannot grow memory without bound. */
  private readonly maxKeys: number;

  constructor(perMinute: number, maxKeys = 100_000) {
    this.perMinute = perMinute;
    this.maxKeys = maxKeys;
    this.perMs = perMinute / 60_000;
  }

  /** Takes a token for key: 0 when allowed, else the whole seconds until a token is back. */
  take(key: string, now = Date.now()): number {
    if (this.perMinute <= 0) return 0;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.prune(now);
      bucket = { tokens: this.perMinute, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    }
    // Everything still busy: drop the least recently created half rather than grow.
    if (this.buckets.size >= this.maxKeys) {
      let drop = Math.ceil(this.buckets.size / 2);
      for (const key of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(key);
      }
    }
  }
}

export type RateLimits = {
  mutationsPerKey: TokenBuckets;
  mutationsPerIp: TokenBuckets;
  connectionsPerKey: TokenBuckets;
  connectionsPerIp: TokenBuckets;
};

export function createRateLimits(config: {
  rateLimitMutationsPerMinute: number;
  rateLimitIpMutationsPerMinute: number;
  rateLimitConnectionsPerMinute: number;
}): RateLimits {
  return {
    mutationsPerKey: new TokenBuckets(config.rateLimitMutationsPerMinute),
    mutationsPerIp: new TokenBuckets(config.rateLimitIpMutationsPerMinute),
    connectionsPerKey: new TokenBuckets(config.rateLimitConnectionsPerMinute),
    connectionsPerIp: new TokenBuckets(config.rateLimitConnectionsPerMinute),
  };
}

/**
 * The key a caller's limits are counted under: its credential's, or 'admin' for the bootstrap admin
 * token; anonymous callers are counted by IP only.
 */
export function principalKey(principal: Principal): string | null {
  return credentialKey(principal) ?? (principal.kind === 'admin' ? 'admin' : null);
}

/** The caller's address: the socket's, or with trustProxy the first X-Forwarded-For hop (set by the load balancer). */
export function clientIp(req: IncomingMessage | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req?.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return req?.socket?.remoteAddress ?? 'unknown';
}
