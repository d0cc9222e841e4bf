/**
 * The run logs export: a run's stored lines in seq order, selected by minLevel and contains exactly
 * as jobLogs selects them (see searchLogLines).
 */
import { LOG_LEVELS, levelRank } from '../../contract/logLevels.ts';
import type { ExportRequest } from './exportRequest.ts';
import type { ExportTable } from './exportTable.ts';
import { escapeTextLine, ndjsonLine } from './formats.ts';

type LogRow = { seq: number; timestamp: Date; level: string; message: string };

export function runLogsTable(request: Extract<ExportRequest, { kind: 'runLogs' }>, today: string): ExportTable {
  const levels = request.minLevel && request.minLevel !== 'DEBUG' ? LOG_LEVELS.filter((l) => levelRank(l) >= levelRank(request.minLevel!)) : null;
  const sql = `SELECT seq, "timestamp", level, message FROM log_line
                WHERE run_id = $1
                  AND ($2::"LogLevel"[] IS NULL OR level = ANY($2))
                  AND ($3::text IS NULL OR strpos(lower(message), lower($3)) > 0)
                ORDER BY seq`;
  const txt = request.format === 'txt';
  return {
    sql,
    values: [request.runId, levels, request.contains],
    // A message may be 64 KiB: 250 of them keep one chunk's text within 16 MB.
    fetchRows: 250,
    head: '',
    fileStem: `scrapedeck-run-${request.runId}-logs-${today}`,
    line: (row) => {
      const l = row as LogRow;
      if (txt) return `${l.seq}\t${l.timestamp.toISOString()}\t${l.level}\t${escapeTextLine(l.message)}\n`;
      return ndjsonLine({ seq: l.seq, timestamp: l.timestamp, level: l.level, message: l.message });
    },
  };
}
