/** Closes flags of the cleanup queue (a person approved the product as it is, or dismissed the flag), or reopens them. */
import type { Database } from '../db/database.ts';

export const MAX_FLAGS_PER_RESOLVE = 500;

/** PENDING reopens a flag: the undo of a resolution. */
export type Resolution = 'APPROVED' | 'DISMISSED' | 'PENDING';

/** Sets the status of the flags that exist among ids; returns how many changed and their ids. */
export async function resolveFlags(db: Database, ids: number[], status: Resolution): Promise<{ updated: number; ids: number[] }> {
  const { rows } = await db.pool.query<{ id: number }>({
    name: 'resolve_flags',
    // resolved_at keeps the first resolution's time when a flag is merely confirmed again.
    text: `UPDATE flag
              SET status = $2::"FlagStatus",
                  resolved_at = CASE WHEN $2::"FlagStatus" = 'PENDING' THEN NULL
                                     WHEN status = $2::"FlagStatus" THEN coalesce(resolved_at, now()) ELSE now() END
            WHERE id = ANY($1::int[])
        RETURNING id`,
    values: [ids, status],
  });
  return { updated: rows.length, ids: rows.map((r) => r.id) };
}
