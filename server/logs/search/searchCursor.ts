/**
 * The searchLogs cursor: base64 of `LogMatch:<runId>:<seq>`, the position of the last line of a page
 * in the newest-first order. Opaque like every cursor; anything not made here is refused.
 */
import { GraphQLError } from 'graphql';

const PREFIX = 'LogMatch:';
const POSITION = /^([1-9][0-9]{0,9}):([1-9][0-9]{0,9})$/;
const MAX_INT4 = 2_147_483_647;

export type SearchPosition = { runId: number; seq: number };

export function encodeSearchCursor(position: SearchPosition): string {
  return Buffer.from(`${PREFIX}${position.runId}:${position.seq}`, 'utf8').toString('base64');
}

/** The position a cursor stands for; a GraphQLError with code BAD_USER_INPUT for anything else. */
export function decodeSearchCursor(cursor: string): SearchPosition {
  const text = cursor.length <= 64 ? Buffer.from(cursor, 'base64').toString('utf8') : '';
  const match = text.startsWith(PREFIX) ? POSITION.exec(text.slice(PREFIX.length)) : null;
  const position = match ? { runId: Number(match[1]), seq: Number(match[2]) } : null;
  // Re-encoding catches what Buffer's lenient base64 decoder lets through.
  if (!position || position.runId > MAX_INT4 || position.seq > MAX_INT4 || encodeSearchCursor(position) !== cursor) {
    throw new GraphQLError('after is not a searchLogs cursor: pass the endCursor of an earlier page', {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' },
    });
  }
  return position;
}
