/**
 * The data of the query phase, made inside PostgreSQL with generate_series: scrapers over sources,
 * runs spread over the last 180 days, log lines (one run holding the replay phase's lines, the rest
 * in runs of 1,000), and products. Foreign-key triggers are off for the load (session_replication_role)
 * and log_line's primary key is rebuilt once at the end: both only make a bulk load slower.
 */
import type pg from 'pg';
import { holdConnection } from '../server/db/heldConnection.ts';
import { fillTrendRollups } from './trendRollups.ts';

export type BulkData = { replayRunId: number; replayLines: number; scraperIds: number[]; sourceIds: number[]; seconds: number };

const LINES_PER_RUN = 1000;

export async function loadBulkData(
  pool: pg.Pool,
  sizes: { runs: number; scrapers: number; logLines: number; replayLines: number; products: number },
): Promise<BulkData> {
  const started = performance.now();
  const held = await holdConnection(pool);
  const { client } = held;
  try {
    await client.query(`SET session_replication_role = replica`);
    const sources = Math.max(1, Math.floor(sizes.scrapers / 4));
    await client.query(
      `INSERT INTO source (name, url, stale_after_minutes, critical_after_minutes)
       SELECT 'bulk source ' || i, 'https://shop-' || i || '.example.com', 60 * (1 + i % 48), 60 * (49 + i % 48)
         FROM generate_series(1, $1) i`,
      [sources],
    );
    const { rows: scrapers } = await client.query<{ id: number }>(
      `INSERT INTO scraper (slug, name, source_id, cron)
       SELECT 'bulk-scraper-' || i, 'Bulk scraper ' || i, s.id, NULL
         FROM generate_series(1, $1) i
         JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM source WHERE name LIKE 'bulk source %') s
           ON s.n = i % $2
       RETURNING id`,
      [sizes.scrapers, sources],
    );
    const scraperIds = scrapers.map((s) => s.id);
    // Runs spread evenly over 180 days, with the status mix of a fleet that mostly works for every scraper alike.
    await client.query(
      `INSERT INTO run (scraper_id, status, triggered_by, queued_at, started_at, completed_at, duration_seconds,
                        products_found, products_processed, error_message, error_type)
       SELECT sc.ids[1 + i % array_length(sc.ids, 1)], st.status, tb.triggered,
              q.queued_at,
              CASE WHEN st.status <> 'QUEUED' THEN q.queued_at + interval '5 seconds' END,
              CASE WHEN st.status IN ('SUCCESS', 'WARNING', 'ERROR', 'CANCELLED') THEN q.queued_at + d.duration * interval '1 second' END,
              CASE WHEN st.status IN ('SUCCESS', 'WARNING', 'ERROR', 'CANCELLED') THEN d.duration END,
              i % 500, i % 500,
              CASE WHEN st.status = 'ERROR' THEN 'HTTP 503 from upstream' END,
              CASE WHEN st.status = 'ERROR' THEN 'HttpError' END
         FROM generate_series(1, $1) i
         CROSS JOIN (SELECT $2::int[] AS ids) sc
         CROSS JOIN LATERAL (SELECT now() - (180 * 86400.0 * i / $1) * interval '1 second' AS queued_at) q
         CROSS JOIN LATERAL (SELECT 10 + (i::int8 * 7919) % 600 AS duration) d
         CROSS JOIN LATERAL (SELECT (i / 200) % 100 AS k) mix
         CROSS JOIN LATERAL (SELECT (CASE WHEN mix.k < 80 THEN 'SUCCESS' WHEN mix.k < 88 THEN 'WARNING'
                                         WHEN mix.k < 95 THEN 'ERROR' WHEN mix.k < 97 THEN 'CANCELLED'
                                         WHEN mix.k < 99 THEN 'QUEUED' ELSE 'RUNNING' END)::"RunStatus" AS status) st
         CROSS JOIN LATERAL (SELECT (CASE WHEN mix.k % 10 < 8 THEN 'SCHEDULER' WHEN mix.k % 10 < 9 THEN 'MANUAL' ELSE 'API' END)::"TriggeredBy" AS triggered) tb`,
      [sizes.runs, scraperIds],
    );
    const { rows: newest } = await client.query<{ id: number }>(
      `SELECT id FROM run WHERE scraper_id = ANY($1) ORDER BY queued_at DESC, id DESC LIMIT $2`,
      [scraperIds, 1 + Math.ceil(Math.max(0, sizes.logLines - sizes.replayLines) / LINES_PER_RUN)],
    );
    const replayRunId = newest[0]!.id;
    const others = newest.slice(1).map((r) => r.id);
    await client.query(`ALTER TABLE log_line DROP CONSTRAINT log_line_pkey`);
    const insertLines = `
      INSERT INTO log_line (run_id, seq, level, message, "timestamp", received_at)
      SELECT r.id, s,
             (ARRAY['INFO','INFO','INFO','DEBUG','INFO','INFO','WARNING','INFO','INFO','ERROR']::"LogLevel"[])[1 + s % 10],
             rpad('GET https://shop.example.com/catalog?page=' || s % 1000 || ' 200 OK ' || s % 997 || 'ms items=' || s % 50 || ' ok', 80, '.'),
             now(), now()
        FROM unnest($1::int[]) r(id), generate_series(1, $2) s`;
    await client.query(insertLines, [[replayRunId], sizes.replayLines]);
    let remaining = Math.max(0, sizes.logLines - sizes.replayLines);
    const filled: Array<[number, number]> = [[replayRunId, sizes.replayLines]];
    for (const id of others) {
      if (remaining <= 0) break;
      const lines = Math.min(LINES_PER_RUN, remaining);
      filled.push([id, lines]);
      remaining -= lines;
    }
    const full = filled.slice(1).filter(([, n]) => n === LINES_PER_RUN).map(([id]) => id);
    if (full.length > 0) await client.query(insertLines, [full, LINES_PER_RUN]);
    for (const [id, n] of filled.slice(1).filter(([, n]) => n !== LINES_PER_RUN)) await client.query(insertLines, [[id], n]);
    await client.query(`ALTER TABLE log_line ADD CONSTRAINT log_line_pkey PRIMARY KEY (run_id, seq)`);
    await client.query(
      `UPDATE run SET last_seq = f.n, debug_count = f.n / 10, info_count = f.n * 7 / 10, warning_count = f.n / 10, error_count = f.n / 10
         FROM unnest($1::int[], $2::int[]) f(id, n) WHERE run.id = f.id`,
      [filled.map(([id]) => id), filled.map(([, n]) => n)],
    );
    await client.query(
      `INSERT INTO product (source_id, sku, name, brand, category, price, thc_percent, cbd_percent, url, scraped_at)
       SELECT so.ids[1 + i % array_length(so.ids, 1)], 'sku-' || i, 'Product ' || i,
              CASE WHEN i % 7 = 0 THEN NULL ELSE 'Brand ' || i % 40 END,
              CASE WHEN i % 23 = 0 THEN NULL ELSE (ARRAY['flower','edibles','vapes','oils','topicals','seeds','accessories','concentrates'])[1 + i % 8] END,
              CASE WHEN i % 11 = 0 THEN NULL WHEN i % 97 = 0 THEN 900 + i % 100 ELSE 10 + (i::int8 * 7919) % 90 END,
              CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 300) / 10.0 END,
              CASE WHEN i % 3 = 0 THEN NULL ELSE (i % 200) / 10.0 END,
              'https://shop.example.com/p/' || i, now() - (i % 1000) * interval '1 minute'
         FROM generate_series(1, $1) i
         CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM source WHERE name LIKE 'bulk source %') so`,
      [sizes.products],
    );
    const { rows: sourceRows } = await client.query<{ id: number }>(`SELECT id FROM source WHERE name LIKE 'bulk source %' ORDER BY id`);
    const sourceIds = sourceRows.map((s) => s.id);
    await fillTrendRollups(client, sourceIds);
    await client.query(`SET session_replication_role = DEFAULT`);
    return { replayRunId, replayLines: sizes.replayLines, scraperIds, sourceIds, seconds: (performance.now() - started) / 1000 };
  } finally {
    held.release();
  }
}
