/**
 * Streams an export's rows from a cursor to the response, a chunk at a time: the next chunk is
 * fetched only once the response has taken the last one (backpressure), so memory holds one chunk
 * however many rows go out, and a client that reads slowly slows the export instead of growing it.
 */
import type { ServerResponse } from 'node:http';
import type pg from 'pg';
import type { ExportTable } from './exportTable.ts';

/** A client that takes nothing for this long has its export ended, which frees the connection and snapshot it holds. */
const STALLED_CLIENT_MS = 60_000;

export type StreamEnd = 'complete' | 'client gone';

/**
 * Writes `first` (the first FETCH, read before the headers went out) and every further chunk.
 * Resolves 'client gone' as soon as the client disconnects; throws what the database throws.
 */
export async function streamRows(client: pg.ClientBase, cursor: string, table: ExportTable, first: Record<string, unknown>[], res: ServerResponse): Promise<StreamEnd> {
  let rows = first;
  let text = table.head;
  for (;;) {
    for (const row of rows) text += table.line(row);
    if (res.destroyed || res.closed) return 'client gone';
    if (text && !res.write(text) && !(await drained(res))) return 'client gone';
    text = '';
    if (rows.length < table.fetchRows) return 'complete';
    rows = (await client.query(`FETCH ${table.fetchRows} FROM ${cursor}`)).rows;
  }
}

/** true once the response can take more; false when the client went away or stalled. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(stalled);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const stalled = setTimeout(() => {
      done(false);
      res.destroy();
    }, STALLED_CLIENT_MS);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
