/**
 * The export endpoints: GET /export/products.csv|.ndjson, /export/runs.csv|.ndjson and
 * /export/runs/:id/logs.ndjson|.txt. Parameters are checked before anything else, then the caller,
 * then a slot of the caller's credential; the rows stream from a cursor in a read-only
 * REPEATABLE READ transaction on the export pool, so that an export is one consistent snapshot.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { holdConnection } from '../db/heldConnection.ts';
import type { Database } from '../db/database.ts';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../http/databaseUnavailable.ts';
import type { Logger } from '../logger.ts';
import { exportCaller, linkRefused } from './exportAuth.ts';
import { credentialNumber } from './exportCredential.ts';
import { openExportPool } from './exportPool.ts';
import { ExportParameterError, exportPath, parseExportRequest, TICKET_PARAMETER, type ExportRequest } from './exportRequest.ts';
import { exportTable } from './exportTable.ts';
import { EXPORTS_PER_CREDENTIAL, takeExportSlot } from './sql/takeExportSlot.ts';
import { streamRows } from './streamRows.ts';

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson', txt: 'text/plain; charset=utf-8' } as const;

/** Seconds a caller over its concurrent exports is asked to wait: exports take a while, polling faster helps nobody. */
const BUSY_RETRY_AFTER_SECONDS = 10;

const CURSOR = 'export_rows';

export type Exports = { serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>; close(): Promise<void> };

export function createExports(services: { db: Database; logger: Logger; adminToken: string; poolSize: number }): Exports {
  const { db, logger, adminToken } = services;
  const exportPool = openExportPool(db.url, services.poolSize, logger);

  async function serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method !== 'GET') return refuse(res, 405, 'METHOD_NOT_ALLOWED', 'Exports are read with GET.', { allow: 'GET' });
    const query = new URL(req.url ?? '/', 'http://export').searchParams;
    let request: ExportRequest | null;
    try {
      request = parseExportRequest(path, query);
    } catch (error) {
      if (!(error instanceof ExportParameterError)) throw error;
      return refuse(res, 400, 'BAD_USER_INPUT', error.message, {}, { parameter: error.parameter });
    }
    if (!request) return refuse(res, 404, 'NOT_FOUND', 'No such export: see docs/exports.md for the endpoints.');
    try {
      await exportFor(req, res, request, query.get(TICKET_PARAMETER));
    } catch (error) {
      if (!isDatabaseUnavailable(error) || res.headersSent) throw error;
      refuse(res, 503, 'DATABASE_UNAVAILABLE', `The database is unavailable; retry in ${RETRY_AFTER_SECONDS} s`, { 'retry-after': String(RETRY_AFTER_SECONDS) });
    }
  }

  async function exportFor(req: IncomingMessage, res: ServerResponse, request: ExportRequest, ticket: string | null): Promise<void> {
    // The link was made for the export's own path, so any spelling of the same export matches it.
    const caller = await exportCaller(db, adminToken, req, ticket, exportPath(request));
    if ('status' in caller) return refuse(res, caller.status, caller.code, caller.message, caller.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    const held = await holdConnection(exportPool.pool);
    const { client } = held;
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (!(await takeExportSlot(client, credentialNumber(caller.credential.key)))) {
        await client.query('ROLLBACK');
        return refuse(res, 429, 'TOO_MANY_EXPORTS', `At most ${EXPORTS_PER_CREDENTIAL} exports run at a time per credential; retry when one has finished.`, {
          'retry-after': String(BUSY_RETRY_AFTER_SECONDS),
        });
      }
      if (request.kind === 'runLogs' && (await client.query('SELECT 1 FROM run WHERE id = $1', [request.runId])).rowCount === 0) {
        await client.query('ROLLBACK');
        return refuse(res, 404, 'NOT_FOUND', `Run ${request.runId} does not exist`);
      }
      if (caller.takeTicket && !(await caller.takeTicket())) {
        await client.query('ROLLBACK');
        return refuse(res, linkRefused.status, linkRefused.code, linkRefused.message, { 'www-authenticate': 'Bearer' });
      }
      const table = exportTable(request, new Date().toISOString().slice(0, 10));
      await client.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${table.sql}`, table.values);
      // The first chunk is read before the headers go out, so that a failing query is still a plain 500.
      const first = (await client.query(`FETCH ${table.fetchRows} FROM ${CURSOR}`)).rows;
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[request.format],
        'content-disposition': `attachment; filename="${table.fileStem}.${request.format}"`,
        'cache-control': 'no-store',
      });
      const end = await streamRows(client, CURSOR, table, first, res);
      await client.query(end === 'complete' ? 'COMMIT' : 'ROLLBACK');
      if (end === 'complete') res.end();
      else logger.debug({ export: request.kind }, 'export ended: the client went away');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      if (!res.headersSent) throw error;
      // Rows went out already: the response is cut off without its last chunk, so that no client
      // mistakes a partial export for a whole one (curl exits 18, fetch's reader throws).
      logger.error({ err: error, export: request.kind }, 'export failed while streaming');
      res.destroy();
    } finally {
      held.release(broken);
    }
  }

  return { serve, close: () => exportPool.close() };
}

function refuse(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}, extensions: Record<string, unknown> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) }).end(body);
}
