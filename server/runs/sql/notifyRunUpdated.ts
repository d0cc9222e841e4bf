/**
 * The payload every run transition NOTIFYs on `run_updated`, inside the statement that makes it,
 * so that subscribers hear of it at commit and never before. Ids only; readers load the row.
 */
export const RUN_UPDATED_CHANNEL = 'run_updated';

/** A SQL expression over a `run` row alias that NOTIFYs it; select it in the RETURNING or final SELECT. */
export function notifyRunUpdatedSql(alias: string): string {
  return `pg_notify('${RUN_UPDATED_CHANNEL}', ${alias}.id || ':' || ${alias}.scraper_id)`;
}
