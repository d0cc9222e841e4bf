/** Generated run history for the trends tests, and the daily figures recomputed from the raw runs to check rollups against. */
import type pg from 'pg';

/** A small seeded PRNG (mulberry32): generated data is the same on every run of a test. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['flower', 'vapes', 'edibles', 'pre-rolls', 'concentrates'];
const STATUSES = ['SUCCESS', 'SUCCESS', 'SUCCESS', 'WARNING', 'ERROR', 'CANCELLED'] as const;
/** null: a scraper without a cron, whose days are UTC whatever its timezone says. */
const ZONES = [null, 'UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Auckland'];

export type GeneratedRun = { id: number; scraperId: number; sourceId: number; status: string; completedAt: Date; withProducts: boolean };

/**
 * Scrapers in several zones, two per source, and ended runs spread over the last `days` days (some
 * without a duration, some with products, categories and a quality summary). Returned in the order they ended.
 */
export async function generateHistory(pool: pg.Pool, options: { seed: number; sources: number; runs: number; days: number }): Promise<GeneratedRun[]> {
  const random = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const scrapers: Array<{ id: number; sourceId: number }> = [];
  for (let s = 0; s < options.sources; s++) {
    const { rows } = await pool.query<{ id: number }>(`INSERT INTO source (name, url) VALUES ($1, 'http://shop.test') RETURNING id`, [`gen-${options.seed}-${s}`]);
    for (let k = 0; k < 2; k++) {
      const zone = pick(ZONES);
      const { rows: made } = await pool.query<{ id: number }>(
        `INSERT INTO scraper (slug, name, source_id, cron, timezone) VALUES ($1, $1, $2, $3, $4) RETURNING id`,
        [`gen-${options.seed}-${s}-${k}`, rows[0]!.id, zone === null ? null : '0 * * * *', zone ?? pick(['UTC', 'Asia/Tokyo'])],
      );
      scrapers.push({ id: made[0]!.id, sourceId: rows[0]!.id });
    }
  }
  const runs: GeneratedRun[] = [];
  for (let i = 0; i < options.runs; i++) {
    const scraper = pick(scrapers);
    const status = pick(STATUSES);
    const secondsAgo = Math.floor(random() * options.days * 86_400) + 60;
    const duration = random() < 0.15 ? null : Math.round(random() * 6000) / 10;
    const withProducts = status !== 'CANCELLED' && random() < 0.6;
    const productCount = withProducts ? 1 + Math.floor(random() * 12) : 0;
    const missingBrand = Math.floor(random() * (productCount + 1));
    const quality = status === 'CANCELLED' ? null : {
      productCount,
      missingFields: [{ field: 'brand', missing: missingBrand, percent: productCount ? (100 * missingBrand) / productCount : 0 }],
      outliers: Math.floor(random() * 3),
      duplicates: 0,
    };
    const { rows } = await pool.query<{ id: number; completedAt: Date }>(
      `INSERT INTO run (scraper_id, status, triggered_by, queued_at, started_at, completed_at, duration_seconds,
                        products_found, warning_count, error_count, critical_count, quality)
       VALUES ($1, $2::"RunStatus", 'SCHEDULER', now() - make_interval(secs => $3 + 600), now() - make_interval(secs => $3 + 300),
               now() - make_interval(secs => $3), $4, $5, $6, $7, $8, $9)
       RETURNING id, completed_at AS "completedAt"`,
      [scraper.id, status, secondsAgo, duration, productCount + Math.floor(random() * 3), Math.floor(random() * 5), Math.floor(random() * 4), Math.floor(random() * 2), quality],
    );
    const runId = rows[0]!.id;
    for (let p = 0; p < productCount; p++) {
      await pool.query(
        `INSERT INTO product (source_id, sku, name, category, scraped_at, run_id) VALUES ($1, $2, $2, $3, now(), $4)`,
        [scraper.sourceId, `r${runId}-${p}`, random() < 0.1 ? null : pick(CATEGORIES), runId],
      );
    }
    runs.push({ id: runId, scraperId: scraper.id, sourceId: scraper.sourceId, status, completedAt: rows[0]!.completedAt, withProducts });
  }
  return runs.sort((a, b) => a.completedAt.getTime() - b.completedAt.getTime() || a.id - b.id);
}

/** Every scraper_day column, durations sorted (their order is the order runs ended in, which the rollup does not promise). */
export async function storedScraperDays(pool: pg.Pool) {
  const { rows } = await pool.query(
    `SELECT scraper_id, day::text, timezone, succeeded, warned, failed, cancelled,
            ARRAY(SELECT d FROM unnest(durations) AS d ORDER BY d) AS durations, products_found, warning_lines, error_lines
       FROM scraper_day ORDER BY scraper_id, day`,
  );
  return rows;
}

/** The same figures straight from the raw runs: each ended run on the day it ended in its scraper's zone. */
export async function recomputedScraperDays(pool: pg.Pool) {
  const { rows } = await pool.query(
    `WITH ended AS (
       SELECT r.*, z.zone, to_char(r.completed_at AT TIME ZONE z.zone, 'YYYY-MM-DD') AS local_day
         FROM run r JOIN scraper s ON s.id = r.scraper_id
        CROSS JOIN LATERAL (SELECT CASE WHEN s.cron IS NULL THEN 'UTC' ELSE s.timezone END AS zone) z
        WHERE r.status IN ('SUCCESS', 'WARNING', 'ERROR', 'CANCELLED')
     )
     SELECT scraper_id, local_day AS day, zone AS timezone,
            sum(CASE WHEN status = 'SUCCESS' THEN 1 ELSE 0 END)::int AS succeeded,
            sum(CASE WHEN status = 'WARNING' THEN 1 ELSE 0 END)::int AS warned,
            sum(CASE WHEN status = 'ERROR' THEN 1 ELSE 0 END)::int AS failed,
            sum(CASE WHEN status = 'CANCELLED' THEN 1 ELSE 0 END)::int AS cancelled,
            coalesce(array_agg(duration_seconds ORDER BY duration_seconds)
                       FILTER (WHERE status <> 'CANCELLED' AND duration_seconds IS NOT NULL), '{}') AS durations,
            sum(products_found)::int AS products_found, sum(warning_count)::int AS warning_lines,
            sum(error_count + critical_count)::int AS error_lines
       FROM ended
      GROUP BY scraper_id, local_day, zone
      ORDER BY scraper_id, local_day`,
  );
  return rows;
}

/** Each source's day straight from the raw runs: its latest run completed with products, and those products' categories. */
export async function recomputedSourceDays(pool: pg.Pool) {
  const { rows } = await pool.query(
    `SELECT DISTINCT ON (s.source_id, to_char(r.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'))
            s.source_id, to_char(r.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, r.id AS run_id,
            (SELECT count(*)::int FROM product p WHERE p.run_id = r.id) AS products,
            (r.quality->'missingFields'->0->>'missing')::int AS missing_brand,
            (r.quality->>'outliers')::int AS outliers,
            coalesce((SELECT jsonb_object_agg(category, n) FROM (SELECT category, count(*) AS n FROM product p
                        WHERE p.run_id = r.id AND category IS NOT NULL GROUP BY category) c), '{}') AS categories
       FROM run r JOIN scraper s ON s.id = r.scraper_id
      WHERE r.status IN ('SUCCESS', 'WARNING', 'ERROR') AND EXISTS (SELECT 1 FROM product p WHERE p.run_id = r.id)
      ORDER BY s.source_id, 2, r.completed_at DESC, r.id DESC`,
  );
  return rows as Array<{ source_id: number; day: string; run_id: number; products: number; missing_brand: number; outliers: number; categories: Record<string, number> }>;
}

export async function storedSourceDays(pool: pg.Pool) {
  const { rows } = await pool.query(
    `SELECT source_id, day::text, run_id, products, (missing->0->>'count')::int AS missing_brand, outliers, categories,
            drift, drift_categories AS "driftCategories"
       FROM source_day ORDER BY source_id, day`,
  );
  return rows as Array<{ source_id: number; day: string; run_id: number; products: number; missing_brand: number; outliers: number;
    categories: Record<string, number>; drift: number | null; driftCategories: Array<{ category: string; share: number; trailingShare: number }> }>;
}

/** Jensen–Shannon divergence in bits of two count distributions (written apart from the server's SQL, to check it). */
export function jensenShannon(a: Record<string, number>, b: Record<string, number>): number | null {
  const total = (d: Record<string, number>) => Object.values(d).reduce((s, n) => s + n, 0);
  const ta = total(a);
  const tb = total(b);
  if (ta === 0 || tb === 0) return null;
  let sum = 0;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const p = (a[key] ?? 0) / ta;
    const q = (b[key] ?? 0) / tb;
    const m = (p + q) / 2;
    if (p > 0) sum += 0.5 * p * Math.log2(p / m);
    if (q > 0) sum += 0.5 * q * Math.log2(q / m);
  }
  return sum;
}
