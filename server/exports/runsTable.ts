/** The runs export: the runs a RunFilter selects, newest first (as the runs query), with the fields of the Run type. */
import type { ExportRequest } from './exportRequest.ts';
import type { ExportTable } from './exportTable.ts';
import { csvLine, ndjsonLine } from './formats.ts';

type RunRow = {
  id: number;
  scraperId: number;
  scraperSlug: string;
  status: string;
  triggeredBy: string;
  queuedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  durationSeconds: number | null;
  productsFound: number;
  productsProcessed: number;
  flagsCreated: number;
  errorType: string | null;
  errorMessage: string | null;
  retryCount: number;
  publication: string;
  debug: number;
  info: number;
  warning: number;
  error: number;
  critical: number;
};

const COUNTS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
const COLUMNS = [
  'id', 'scraper', 'status', 'triggeredBy', 'queuedAt', 'startedAt', 'completedAt', 'durationSeconds', 'productsFound', 'productsProcessed',
  'flagsCreated', 'errorType', 'errorMessage', 'retryCount', 'publication', ...COUNTS.map((level) => `logCounts.${level}`),
];

export function runsTable(request: Extract<ExportRequest, { kind: 'runs' }>, today: string): ExportTable {
  const { filter } = request;
  const sql = `SELECT r.id, r.scraper_id AS "scraperId", s.slug AS "scraperSlug", r.status, r.triggered_by AS "triggeredBy",
                      r.queued_at AS "queuedAt", r.started_at AS "startedAt", r.completed_at AS "completedAt",
                      r.duration_seconds AS "durationSeconds", r.products_found AS "productsFound",
                      r.products_processed AS "productsProcessed", r.flags_created AS "flagsCreated",
                      r.error_type AS "errorType", r.error_message AS "errorMessage", r.retry_count AS "retryCount", r.publication,
                      r.debug_count AS debug, r.info_count AS info, r.warning_count AS warning, r.error_count AS error, r.critical_count AS critical
                 FROM run r JOIN scraper s ON s.id = r.scraper_id
                WHERE ($1::int IS NULL OR r.scraper_id = $1)
                  AND ($2::"RunStatus" IS NULL OR r.status = $2)
                  AND ($3::"TriggeredBy" IS NULL OR r.triggered_by = $3)
                  AND ($4::timestamptz IS NULL OR r.queued_at >= $4)
                ORDER BY r.queued_at DESC, r.id DESC`;
  const csv = request.format === 'csv';
  return {
    sql,
    values: [filter.scraperId, filter.status, filter.triggeredBy, filter.since],
    fetchRows: 1000,
    head: csv ? csvLine(COLUMNS) : '',
    fileStem: `scrapedeck-runs-${today}`,
    line: (row) => {
      const r = row as RunRow;
      if (csv) {
        return csvLine([
          r.id, r.scraperSlug, r.status, r.triggeredBy, r.queuedAt, r.startedAt, r.completedAt, r.durationSeconds, r.productsFound,
          r.productsProcessed, r.flagsCreated, r.errorType, r.errorMessage, r.retryCount, r.publication, ...COUNTS.map((level) => r[level]),
        ]);
      }
      return ndjsonLine({
        id: String(r.id),
        scraper: { id: String(r.scraperId), slug: r.scraperSlug },
        status: r.status,
        triggeredBy: r.triggeredBy,
        queuedAt: r.queuedAt,
        startedAt: r.startedAt,
        completedAt: r.completedAt,
        durationSeconds: r.durationSeconds,
        productsFound: r.productsFound,
        productsProcessed: r.productsProcessed,
        flagsCreated: r.flagsCreated,
        errorType: r.errorType,
        errorMessage: r.errorMessage,
        retryCount: r.retryCount,
        publication: r.publication,
        logCounts: { debug: r.debug, info: r.info, warning: r.warning, error: r.error, critical: r.critical },
      });
    },
  };
}
