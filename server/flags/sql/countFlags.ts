/** How many flags the cleanup queue's filter selects, for its totalCount. */
import type pg from 'pg';
import type { FlagKind, FlagStatus } from '../../db/generated/prisma/enums.ts';
import { boundedCount, COUNT_EXACT_UP_TO, type RowCount } from '../../db/boundedCount.ts';

/**
 * The flags of a status are walked along flag_status_created_at_idx (every flag when no status is
 * given) and their kind checked: exact while that holds at most COUNT_EXACT_UP_TO flags, beyond it
 * the planner's estimate.
 */
export function countFlags(
  db: pg.Pool,
  filter: { status?: FlagStatus | null; kind?: FlagKind | null },
  cap = COUNT_EXACT_UP_TO,
): Promise<RowCount> {
  const values: unknown[] = [];
  const range = filter.status != null ? `status = $${values.push(filter.status)}` : 'true';
  const rest = filter.kind != null ? `kind = $${values.push(filter.kind)}` : null;
  return boundedCount(db, { from: 'flag', range, rest, values }, cap);
}
