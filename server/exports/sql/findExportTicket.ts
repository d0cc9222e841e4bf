/** Reads a single-use export ticket that could still be taken, without taking it. */
import type pg from 'pg';
import type { ConsumedTicket } from './consumeExportTicket.ts';

/**
 * Who made a ticket still valid for this path: what the export's slot is counted under before the
 * ticket is taken (consumeExportTicket), so that a link refused with 429 can be followed again.
 */
export async function findExportTicket(pool: pg.Pool, ticketHash: string, path: string): Promise<ConsumedTicket | null> {
  const { rows } = await pool.query<ConsumedTicket>({
    name: 'find_export_ticket',
    text: `SELECT principal, role FROM export_ticket
            WHERE ticket_hash = $1 AND path = $2 AND used_at IS NULL AND expires_at > now()`,
    values: [ticketHash, path],
  });
  return rows[0] ?? null;
}
