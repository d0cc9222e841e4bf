/**
 * An outage of PostgreSQL is not a bug: a request that fails because the database cannot be
 * reached is answered 503 with code DATABASE_UNAVAILABLE and Retry-After, so that clients (the
 * runner among them) wait and retry, while every other unexpected error stays a masked 500.
 */
import { GraphQLError } from 'graphql';

const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';
/** Seconds a client is asked to wait: about what a PostgreSQL restart or failover takes. */
export const RETRY_AFTER_SECONDS = 5;

/** Network failures of the connection itself. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs of a server that is going away, starting up or full: class 08 (connection exception) and these. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Prisma's: cannot reach, timed out, connection closed, no connection from its pool in time. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024']);
/** What node-postgres says when a connection ends or cannot be had in time. */
const DRIVER_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/;

export class DatabaseUnavailableError extends GraphQLError {
  constructor() {
    super(`The database is unavailable; retry in ${RETRY_AFTER_SECONDS} s`, {
      extensions: { code: DATABASE_UNAVAILABLE, http: { status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } } },
    });
    this.name = 'DatabaseUnavailableError';
  }
}

/** Whether an error (or anything it wraps) says the database could not be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 8; depth++) {
    const e = current as { code?: unknown; message?: unknown; cause?: unknown; originalError?: unknown };
    // 08P01 (protocol violation) is in class 08 but is a bug, not an outage.
    if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || PRISMA_CODES.has(e.code) || UNAVAILABLE_SQLSTATES.has(e.code) || (/^08/.test(e.code) && e.code !== '08P01'))) {
      return true;
    }
    if (typeof e.message === 'string' && DRIVER_MESSAGES.test(e.message)) return true;
    current = e.originalError ?? e.cause;
  }
  return false;
}
