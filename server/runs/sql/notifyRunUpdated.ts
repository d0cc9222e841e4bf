/**
 * The announcement of a run transition on `run_updated`: ids only, readers load the row. On the
 * PostgreSQL bus the statement that makes the transition NOTIFYs it, so that subscribers hear of it
 * at commit and never before; on another bus the caller publishes the same payload after commit.
 */
export const RUN_UPDATED_CHANNEL = 'run_updated';

/** A run whose state changed, and its scraper (subscribers may follow a whole scraper). */
export type RunChange = { runId: number; scraperId: number };

export const runChangePayload = (change: RunChange) => `${change.runId}:${change.scraperId}`;

/** The change a payload names, or null when it is malformed. */
export function parseRunChange(payload: string): RunChange | null {
  const [runText, scraperText] = payload.split(':');
  const change = { runId: Number(runText), scraperId: Number(scraperText) };
  return Number.isInteger(change.runId) && Number.isInteger(change.scraperId) ? change : null;
}

/**
 * A SQL expression over a `run` row alias that NOTIFYs it when the boolean parameter `notifyParam`
 * (e.g. '$4') is true; select it in the RETURNING or final SELECT.
 */
export function notifyRunUpdatedSql(alias: string, notifyParam: string): string {
  return `CASE WHEN ${notifyParam}::boolean THEN pg_notify('${RUN_UPDATED_CHANNEL}', ${alias}.id || ':' || ${alias}.scraper_id) END`;
}
