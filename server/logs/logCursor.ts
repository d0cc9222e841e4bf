/**
 * The jobLogs history cursor: base64 of `LogLine:<seq>`, opaque like the cursors of the other
 * connections, so that clients page with endCursor instead of building seq numbers themselves.
 * A cursor that is not one of ours is refused: read as "from the start", it would silently
 * replay the whole log to a client that believes it is resuming.
 */
import { GraphQLError } from 'graphql';

const PREFIX = 'LogLine:';
const SEQ = /^(0|[1-9][0-9]{0,9})$/;
/** seq is an int4 column. */
export const MAX_SEQ = 2_147_483_647;

export function encodeLogCursor(seq: number): string {
  return Buffer.from(`${PREFIX}${seq}`, 'utf8').toString('base64');
}

/** The seq a cursor stands for; a GraphQLError with code BAD_USER_INPUT for anything else. */
export function decodeLogCursor(cursor: string): number {
  // The endCursor of an empty first page is '' (the relay plugin's answer), so '' means the start.
  if (cursor === '') return 0;
  const text = cursor.length <= 64 ? Buffer.from(cursor, 'base64').toString('utf8') : '';
  const seq = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  // Re-encoding catches what Buffer's lenient base64 decoder lets through (stray characters, a plain number).
  if (!SEQ.test(seq) || Number(seq) > MAX_SEQ || encodeLogCursor(Number(seq)) !== cursor) {
    throw new GraphQLError('after is not a jobLogs cursor: pass the endCursor of an earlier page', {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' },
    });
  }
  return Number(seq);
}
