/** Stores a single-use export link's ticket (its hash only) and clears out tickets long dead. */
import type pg from 'pg';

/** Used or expired tickets are kept this long (to tell a used link from a forged one in an investigation), then deleted. */
const KEEP_DEAD_TICKETS = '1 day';

export async function createExportTicket(
  pool: pg.Pool,
  ticket: { ticketHash: string; path: string; principal: string; role: 'ADMIN' | 'VIEWER'; validSeconds: number },
): Promise<{ expiresAt: Date }> {
  // Cleaning up here keeps the table as small as its last day of links, without a job of its own:
  // the index on expires_at makes it a short range scan.
  const { rows } = await pool.query<{ expiresAt: Date }>({
    name: 'create_export_ticket',
    text: `WITH dead AS (DELETE FROM export_ticket WHERE expires_at < now() - $6::interval)
           INSERT INTO export_ticket (ticket_hash, path, principal, role, expires_at)
           VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
           RETURNING expires_at AS "expiresAt"`,
    values: [ticket.ticketHash, ticket.path, ticket.principal, ticket.role, ticket.validSeconds, KEEP_DEAD_TICKETS],
  });
  return rows[0]!;
}
