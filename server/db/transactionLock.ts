/**
 * Two-key advisory locks held to the end of the caller's transaction: the first key names what is
 * locked (one constant per use, apart from the one-key locks of migrations, retention and pg-boss),
 * the second the row it is about.
 */
import type pg from 'pg';

export async function lockForTransaction(client: pg.ClientBase, space: number, id: number): Promise<void> {
  await client.query({ name: 'lock_for_transaction', text: `SELECT pg_advisory_xact_lock($1::int, $2::int)`, values: [space, id] });
}
