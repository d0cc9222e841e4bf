/**
 * How many of a run's stored lines the history filters keep, for jobLogs' totalCount. The run's own
 * counters (last_seq and a count per level, kept by appendLogs in the statement that stores the
 * lines) answer it without reading a line, as long as retention has not deleted any of them.
 */
import type pg from 'pg';
import type { LogLevelName } from '../../../contract/logLevels.ts';
import { boundedCount, COUNT_EXACT_UP_TO, type RowCount } from '../../db/boundedCount.ts';
import { logLineFilterSql } from './readLogLines.ts';

type RunLogState = {
  lastSeq: number;
  /** The lowest seq still stored; null when none is. Retention deletes a run's oldest lines first. */
  firstSeq: number | null;
  levels: Record<LogLevelName, number>;
};

async function readRunLogState(db: pg.Pool, runId: number): Promise<RunLogState | null> {
  const { rows } = await db.query<{ lastSeq: number; firstSeq: number | null } & Record<LogLevelName, number>>({
    name: 'count_log_lines_run_state',
    text: `SELECT last_seq AS "lastSeq",
                  (SELECT seq FROM log_line WHERE run_id = run.id ORDER BY seq LIMIT 1) AS "firstSeq",
                  debug_count AS "DEBUG", info_count AS "INFO", warning_count AS "WARNING",
                  error_count AS "ERROR", critical_count AS "CRITICAL"
             FROM run WHERE id = $1`,
    values: [runId],
  });
  const row = rows[0];
  if (!row) return null;
  const { lastSeq, firstSeq, ...levels } = row;
  return { lastSeq, firstSeq, levels };
}

/**
 * Without `contains`, exact: from the counters when every line is still stored, or, after
 * retention deleted the oldest, from last_seq and the first stored seq (every level) or by walking
 * the lines (some levels: exact up to COUNT_EXACT_UP_TO stored lines). With `contains`, the run's
 * lines are searched exactly up to COUNT_EXACT_UP_TO stored lines; beyond, the share of matches
 * among the first ones, applied to all of them, is the estimate.
 */
export async function countLogLines(
  db: pg.Pool,
  params: { runId: number; minLevels: LogLevelName[] | null; contains: string | null },
  cap = COUNT_EXACT_UP_TO,
): Promise<RowCount> {
  const state = await readRunLogState(db, params.runId);
  if (!state || state.firstSeq === null) return { count: 0, exact: true };
  const stored = state.lastSeq - state.firstSeq + 1;
  if (params.contains === null) {
    if (params.minLevels === null) return { count: stored, exact: true };
    if (state.firstSeq === 1) return { count: params.minLevels.reduce((sum, level) => sum + state.levels[level], 0), exact: true };
  }
  return boundedCount(
    db,
    {
      from: 'log_line',
      range: 'run_id = $1',
      rest: logLineFilterSql('$2', '$3'),
      values: [params.runId, params.minLevels, params.contains],
      rangeSize: stored,
    },
    cap,
  );
}
