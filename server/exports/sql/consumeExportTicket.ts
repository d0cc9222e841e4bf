/** Takes a single-use export ticket: at most once, before it expires, for the path it was made for, on any instance. */
import type pg from 'pg';

export type ConsumedTicket = { principal: string; role: 'ADMIN' | 'VIEWER' };

/**
 * One statement marks the ticket used, so that of two requests racing with the same link (on one
 * instance or two) exactly one gets it. A ticket presented for another path stays unused; a ticket
 * made with an API token that has since been revoked is refused.
 */
export async function consumeExportTicket(pool: pg.Pool, ticketHash: string, path: string): Promise<ConsumedTicket | null> {
  const { rows } = await pool.query<ConsumedTicket>({
    name: 'consume_export_ticket',
    text: `UPDATE export_ticket t SET used_at = now()
            WHERE t.ticket_hash = $1 AND t.path = $2 AND t.used_at IS NULL AND t.expires_at > now()
              AND (t.principal NOT LIKE 'token:%'
                   OR EXISTS (SELECT 1 FROM api_token a WHERE a.id::text = substr(t.principal, 7) AND a.revoked_at IS NULL))
        RETURNING t.principal, t.role`,
    values: [ticketHash, path],
  });
  return rows[0] ?? null;
}
