/**
 * What a log search may ask: the query's length, the page size, and when a search the trigram index
 * cannot answer is still allowed (a filter narrows the lines it reads to one scraper or one day).
 */
import { levelRank, type LogLevelName } from '../../../contract/logLevels.ts';

/**
 * The index holds the lines at this level and above only (log_line_message_search_idx): indexing
 * every line cost half of ingest, and WARNING and above 14%, measured (docs/performance.md#log-search). It is the default
 * minLevel; a lower one searches lines no index holds.
 */
export const INDEXED_MIN_LEVEL: LogLevelName = 'ERROR';

/**
 * Trigrams are taken from runs of letters and digits: a query without three of them in a row ("40",
 * "---", "a b") gives the index nothing to look up and reads every line it may match.
 */
export const MIN_INDEXED_QUERY = 3;
const INDEXABLE = new RegExp(`[\\p{L}\\p{N}]{${MIN_INDEXED_QUERY}}`, 'u');
export const MAX_QUERY = 200;
export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;
/** The widest since..until window that makes a short query narrow enough (until defaults to now). */
export const NARROW_WINDOW_MS = 24 * 60 * 60 * 1000;

export type SearchShape = { query: string; scraperId: unknown; minLevel: LogLevelName | null; since: Date | null; until: Date | null };

/** Why this search is refused before any work, or null when it may run. */
export function searchProblem(search: SearchShape, now = new Date()): { path: string[]; message: string } | null {
  // Characters, as trigrams count them (an emoji is one, not two UTF-16 units).
  const characters = search.query.length > MAX_QUERY * 2 ? search.query.length : [...search.query].length;
  if (characters === 0) return { path: ['query'], message: 'the query is empty' };
  if (characters > MAX_QUERY) return { path: ['query'], message: `a query holds at most ${MAX_QUERY} characters` };
  if (search.query.includes('\u0000')) return { path: ['query'], message: 'a query cannot hold the NUL character' };
  if (search.since && search.until && search.until <= search.since) return { path: ['filter', 'until'], message: 'until must be after since' };
  const indexed = INDEXABLE.test(search.query) && levelRank(search.minLevel ?? INDEXED_MIN_LEVEL) >= levelRank(INDEXED_MIN_LEVEL);
  if (indexed || search.scraperId != null) return null;
  const window = search.since ? (search.until ?? now).getTime() - search.since.getTime() : Number.POSITIVE_INFINITY;
  if (window <= NARROW_WINDOW_MS) return null;
  return {
    path: ['query'],
    message:
      `a query without ${MIN_INDEXED_QUERY} letters or digits in a row, or a minLevel below ${INDEXED_MIN_LEVEL}, needs a narrowing filter: a scraperId, ` +
      `or since (and until, which defaults to now) at most ${NARROW_WINDOW_MS / 3_600_000} hours apart`,
  };
}
