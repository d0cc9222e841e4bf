/**
 * Refuses a mutation over its caller's rate limit (see http/rateLimits.ts) with HTTP 429 and
 * Retry-After, over HTTP and websocket alike.
 */
import { getOperationAST, GraphQLError, type DocumentNode } from 'graphql';
import type { Principal } from '../../auth/principal.ts';
import { principalKey, type RateLimits } from '../../http/rateLimits.ts';

export const RATE_LIMITED = 'RATE_LIMITED';

export class RateLimitedError extends GraphQLError {
  constructor(what: string, retryAfter: number) {
    super(`Too many ${what}; retry after ${retryAfter} s`, {
      extensions: {
        code: RATE_LIMITED,
        retryAfter,
        http: { status: 429, headers: { 'retry-after': String(retryAfter) } },
      },
    });
    this.name = 'RateLimitedError';
  }
}

/** Seconds to wait before the next mutation of this caller, or 0 when it may go ahead. */
export function mutationRetryAfter(limits: RateLimits, principal: Principal, ip: string): number {
  const key = principalKey(principal);
  const byKey = key ? limits.mutationsPerKey.take(key) : 0;
  if (byKey) return byKey;
  return limits.mutationsPerIp.take(`ip:${ip}`);
}

type LimitedContext = { principal: Principal; clientIp?: string; /** A held claim run again after a wake-up: counted when it came. */ continuedClaim?: unknown };

/** An envelop plugin that refuses a mutation over its caller's limit, over HTTP and websocket alike. */
export function useMutationRateLimit(limits: RateLimits) {
  return {
    onExecute({ args, setResultAndStopExecution }: {
      args: { document: DocumentNode; operationName?: string | null; contextValue: unknown };
      setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void;
    }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      const context = args.contextValue as LimitedContext;
      if (context.continuedClaim) return;
      const retryAfter = mutationRetryAfter(limits, context.principal, context.clientIp ?? 'unknown');
      if (retryAfter) setResultAndStopExecution({ errors: [new RateLimitedError('mutations', retryAfter)] });
    },
  };
}
