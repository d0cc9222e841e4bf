/**
 * Values the database refused. They come from the request (a cursor built by hand, a huge id, a
 * NUL character where text is looked up), so the request is what is wrong: BAD_USER_INPUT, not a
 * masked INTERNAL_SERVER_ERROR to chase. Fields that store text a runner brought from the web (log
 * lines, a run's error) store such characters as U+FFFD instead, and definitions and names refuse
 * them in their ValidationError; this catches every other place.
 */
import { GraphQLError } from 'graphql';

/** Prisma's refusals of a value: out of range for its column, of the wrong kind, too long. */
const PRISMA_INPUT_CODES = new Set(['P2000', 'P2006', 'P2007', 'P2009', 'P2019', 'P2020', 'P2033']);
/** PostgreSQL's: text with NUL (22021), JSON with \u0000 (22P05), input of the wrong syntax (22P02), a number out of range (22003). */
const TEXT_SQLSTATES = new Set(['22021', '22P05']);
const INPUT_SQLSTATES = new Set([...TEXT_SQLSTATES, '22P02', '22003']);

type Refusal = 'text' | 'value';

/** What the database refused of the request, found anywhere in what the error wraps; null when it is no refusal. */
export function refusedInput(error: unknown): Refusal | null {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 8; depth++) {
    const e = current as { name?: unknown; code?: unknown; cause?: unknown; originalError?: unknown; meta?: { driverAdapterError?: unknown } };
    if (e.name === 'PrismaClientValidationError') return 'value';
    if (typeof e.code === 'string') {
      if (TEXT_SQLSTATES.has(e.code)) return 'text';
      if (PRISMA_INPUT_CODES.has(e.code) || INPUT_SQLSTATES.has(e.code)) return 'value';
    }
    // Prisma's driver adapter keeps PostgreSQL's own error under meta.
    current = e.originalError ?? e.meta?.driverAdapterError ?? e.cause;
  }
  return null;
}

export class RefusedInputError extends GraphQLError {
  constructor(refusal: Refusal, path?: ReadonlyArray<string | number>) {
    super(
      refusal === 'text'
        ? 'A string of the request holds the NUL character (U+0000), which cannot be stored or looked up'
        : 'A value of the request is not valid here (out of range, or of the wrong kind); a cursor must be an endCursor of an earlier page',
      { path, extensions: { code: 'BAD_USER_INPUT' } },
    );
    this.name = 'RefusedInputError';
  }
}
