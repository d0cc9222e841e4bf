/**
 * Reads the trends of every scraper a request asks for in one query: a list of scraper cards each
 * asking for its sparkline is one round trip, not one per card. Calls made while a request's
 * resolvers run are gathered per window length and read together once they have all been made.
 */
import type pg from 'pg';
import { readScraperTrends, type ScraperTrendDayRow } from './sql/readScraperTrends.ts';

type Pending = { ids: Set<number>; result: Promise<Map<number, ScraperTrendDayRow[]>> };

const batches = new WeakMap<object, Map<number, Pending>>();

export function loadScraperTrends(request: object, pool: pg.Pool, scraperId: number, days: number): Promise<ScraperTrendDayRow[]> {
  let byDays = batches.get(request);
  if (!byDays) batches.set(request, (byDays = new Map()));
  let pending = byDays.get(days);
  if (!pending) {
    const ids = new Set<number>();
    const forget = byDays;
    // setImmediate runs after the promise jobs of the resolvers now running: every sibling has asked by then.
    const result = new Promise<Map<number, ScraperTrendDayRow[]>>((resolve, reject) => {
      setImmediate(() => {
        forget.delete(days);
        readScraperTrends(pool, [...ids], days).then((rows) => {
          const grouped = new Map<number, ScraperTrendDayRow[]>();
          for (const row of rows) {
            const list = grouped.get(row.scraperId);
            if (list) list.push(row);
            else grouped.set(row.scraperId, [row]);
          }
          resolve(grouped);
        }, reject);
      });
    });
    pending = { ids, result };
    byDays.set(days, pending);
  }
  pending.ids.add(scraperId);
  return pending.result.then((grouped) => grouped.get(scraperId) ?? []);
}
