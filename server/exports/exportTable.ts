/** What streaming an export needs to know: the rows' query, how many to fetch at a time, and how one row is written. */
import type { ExportRequest } from './exportRequest.ts';
import { productsTable } from './productsTable.ts';
import { runLogsTable } from './runLogsTable.ts';
import { runsTable } from './runsTable.ts';

export type ExportTable = {
  /** The rows in export order; its parameters are `values`. */
  sql: string;
  values: unknown[];
  /** Rows per FETCH: enough to keep round trips cheap, few enough that one chunk's text stays small. */
  fetchRows: number;
  /** Written before the first row (CSV's header row), or empty. */
  head: string;
  line(row: Record<string, unknown>): string;
  /** The download's file name without its extension, such as scrapedeck-products-2026-12-06. */
  fileStem: string;
};

export function exportTable(request: ExportRequest, today: string): ExportTable {
  if (request.kind === 'products') return productsTable(request, today);
  if (request.kind === 'runs') return runsTable(request, today);
  return runLogsTable(request, today);
}
