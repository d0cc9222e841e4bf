/**
 * The DateTime scalar: graphql-scalars' RFC 3339 DateTime, with a fast path for the form runners
 * send with every log line, and a refusal of instants PostgreSQL cannot store.
 */
import { GraphQLError, GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';

/** The form Date#toISOString writes, which is what runners send with every log line. */
const ISO_UTC_MILLIS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const DIGIT_0 = 48;

/** The two-digit number at index i of a string whose characters there are digits. */
const twoDigits = (value: string, i: number) => (value.charCodeAt(i) - DIGIT_0) * 10 + value.charCodeAt(i + 1) - DIGIT_0;

/**
 * The instant of a timestamp in the common form, or NaN when it is not a real one. Days 01–28
 * exist in every month and hours 00–23 in every day, so Date.parse, which would roll 02-30 over
 * to March or 24:00 over to the next day, is exact for them; other days and hours are checked by
 * printing the date back (a fuzzed comparison of the two ways found no difference).
 */
function parseIsoUtcMillis(value: string): number {
  if (twoDigits(value, 8) <= 28 && twoDigits(value, 11) <= 23) return Date.parse(value);
  const date = new Date(value);
  return !Number.isNaN(date.getTime()) && date.toISOString() === value ? date.getTime() : Number.NaN;
}

/** 0001-01-01T00:00:00Z: PostgreSQL has no year 0, and refuses anything before it. */
const EARLIEST_STORABLE = Date.parse('0001-01-01T00:00:00.000Z');

/** Refuses an instant PostgreSQL cannot store, which would otherwise fail the whole request later. */
function storable(date: Date, value: unknown): Date {
  if (date.getTime() < EARLIEST_STORABLE) {
    // A GraphQLError, as the scalar's own refusals are: Yoga masks any other error as unexpected.
    throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}: the earliest instant is 0001-01-01T00:00:00.000Z`);
  }
  return date;
}

// A batch of 1000 lines parses 1000 timestamps: the common form takes a shortcut that accepts exactly
// what the full RFC 3339 check accepts; anything else takes the full check.
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  parseValue(value) {
    if (typeof value === 'string' && value.length === 24 && ISO_UTC_MILLIS.test(value)) {
      const instant = parseIsoUtcMillis(value);
      if (!Number.isNaN(instant)) return storable(new Date(instant), value);
    }
    return storable(DateTimeResolver.parseValue(value), value);
  },
  // An instant already printed in the API's form (log lines read as text, see readLogLines) goes out as it is.
  serialize(value) {
    if (typeof value === 'string' && value.length === 24 && ISO_UTC_MILLIS.test(value)) return value;
    return DateTimeResolver.serialize(value);
  },
  parseLiteral(ast, variables) {
    return storable(DateTimeResolver.parseLiteral(ast, variables), 'value' in ast ? ast.value : ast.kind);
  },
});
