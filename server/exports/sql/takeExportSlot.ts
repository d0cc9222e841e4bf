/**
 * Takes one of a credential's export slots for the current transaction: the concurrency limit that
 * holds across instances, since the locks live in PostgreSQL.
 */
import type pg from 'pg';

/** Lock spaces (first advisory key) of the two slots; the second key is the credential's number. */
const EXPORT_SLOT_LOCKS = [14_003, 14_004] as const;
export const EXPORTS_PER_CREDENTIAL = EXPORT_SLOT_LOCKS.length;

/**
 * Transaction-level locks: they go with the export's own transaction at COMMIT or ROLLBACK, and
 * with its session when the connection is lost or destroyed, so no path can leave one behind on a
 * pooled connection. CASE tries the second slot only when the first is taken. Returns whether a
 * slot was free.
 */
export async function takeExportSlot(client: pg.ClientBase, credentialNumber: number): Promise<boolean> {
  const { rows } = await client.query<{ slot: number }>({
    name: 'take_export_slot',
    text: `SELECT CASE WHEN pg_try_advisory_xact_lock($1::int, $3::int) THEN 1
                       WHEN pg_try_advisory_xact_lock($2::int, $3::int) THEN 2
                       ELSE 0 END AS slot`,
    values: [EXPORT_SLOT_LOCKS[0], EXPORT_SLOT_LOCKS[1], credentialNumber],
  });
  return rows[0]!.slot > 0;
}
