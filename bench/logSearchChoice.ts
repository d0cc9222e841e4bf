/**
 * `tsx bench/logSearchChoice.ts`: the measurement behind the choice of the log search index. Loads
 * LOG_SEARCH_LINES bulk lines (10,000,000 by default) and measures each candidate: search p50/p99
 * for a rare and a common term, its size and build time, and ingest with it against ingest without.
 * Prints the figures as JSON; docs/performance.md holds those of the choice.
 */
import { loadBulkData } from './bulkData.ts';
import { settle, startBenchDatabase } from './database.ts';
import { runningRuns } from './fixtures.ts';
import { measureLogSearch, SEARCH_INDEX, type SearchIndex } from './logSearch.ts';
import { BENCH_ADMIN_TOKEN, startServerProcess } from './serverProcess.ts';

const CANDIDATES: SearchIndex[] = [
  { name: 'log_line_message_idx', create: `CREATE INDEX log_line_message_idx ON log_line USING gin (message gin_trgm_ops)` },
  {
    name: 'log_line_message_warning_idx',
    create: `CREATE INDEX log_line_message_warning_idx ON log_line USING gin (message gin_trgm_ops) WHERE level IN ('WARNING', 'ERROR', 'CRITICAL')`,
    filter: { minLevel: 'WARNING' },
  },
  // The choice: ERROR and above.
  SEARCH_INDEX,
];
/** LOG_SEARCH_CANDIDATES=log_line_message_warning_idx,… measures only those. */
const only = process.env.LOG_SEARCH_CANDIDATES?.split(',');

const lines = Number(process.env.LOG_SEARCH_LINES ?? 10_000_000);
const say = (message: string) => process.stderr.write(`[log search] ${message}\n`);
const db = await startBenchDatabase();
const server = await startServerProcess(db.url);
try {
  say(`loading ${lines} lines`);
  const bulk = await loadBulkData(db.pool, { runs: Math.max(2000, lines / 1000 + 10), scrapers: 200, logLines: lines, replayLines: 1000, products: 1000 });
  say(`  loaded in ${Math.round(bulk.seconds)} s`);
  await settle(db.pool);
  const results = [];
  for (const index of CANDIDATES.filter((c) => !only || only.includes(c.name))) {
    say(index.create);
    results.push({
      candidate: index.create,
      ...(await measureLogSearch({
        pool: db.pool,
        httpUrl: server.httpUrl,
        viewer: { token: BENCH_ADMIN_TOKEN },
        runners: () => runningRuns(db.pool, 4, `search-ingest-${Date.now()}`),
        iterations: Number(process.env.LOG_SEARCH_ITERATIONS ?? 50),
        ingest: { batchLines: 500, seconds: Number(process.env.LOG_SEARCH_INGEST_SECONDS ?? 10), rounds: Number(process.env.LOG_SEARCH_ROUNDS ?? 2) },
        say,
        index,
      })),
    });
    await db.pool.query(`DROP INDEX IF EXISTS ${index.name}`);
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} finally {
  await server.stop();
  await db.stop();
}
