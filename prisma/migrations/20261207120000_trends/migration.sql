-- Trends: daily rollups of each scraper's runs and each source's products, kept up to date as runs end.

-- CreateTable
CREATE TABLE "scraper_day" (
    "scraper_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "timezone" TEXT NOT NULL,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "warned" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "cancelled" INTEGER NOT NULL DEFAULT 0,
    "durations" DOUBLE PRECISION[] NOT NULL DEFAULT '{}',
    "products_found" INTEGER NOT NULL DEFAULT 0,
    "warning_lines" INTEGER NOT NULL DEFAULT 0,
    "error_lines" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "scraper_day_pkey" PRIMARY KEY ("scraper_id","day")
);

-- CreateTable
CREATE TABLE "source_day" (
    "source_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "run_id" INTEGER,
    "ended_at" TIMESTAMPTZ(3) NOT NULL,
    "products" INTEGER NOT NULL,
    "missing" JSONB NOT NULL DEFAULT '[]',
    "categories" JSONB NOT NULL DEFAULT '{}',
    "outliers" INTEGER NOT NULL DEFAULT 0,
    "drift" DOUBLE PRECISION,
    "drift_categories" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "source_day_pkey" PRIMARY KEY ("source_id","day")
);

-- CreateIndex
CREATE INDEX "source_day_run_id_idx" ON "source_day"("run_id");

-- AddForeignKey
ALTER TABLE "scraper_day" ADD CONSTRAINT "scraper_day_scraper_id_fkey" FOREIGN KEY ("scraper_id") REFERENCES "scraper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "source_day" ADD CONSTRAINT "source_day_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "source"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "source_day" ADD CONSTRAINT "source_day_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Backfill: the history of existing installs, by the rules the server keeps when a run ends
-- (server/trends/sql/addRunsToScraperDays.ts and putRunOnSourceDay.ts; docs/trends.md).
-- Every ended run counts on the day it ended in its scraper's schedule zone (UTC without a cron).
INSERT INTO "scraper_day" ("scraper_id", "day", "timezone", "succeeded", "warned", "failed", "cancelled", "durations",
                           "products_found", "warning_lines", "error_lines")
SELECT r."scraper_id", (r."completed_at" AT TIME ZONE z.tz)::date, z.tz,
       count(*) FILTER (WHERE r."status" = 'SUCCESS'),
       count(*) FILTER (WHERE r."status" = 'WARNING'),
       count(*) FILTER (WHERE r."status" = 'ERROR'),
       count(*) FILTER (WHERE r."status" = 'CANCELLED'),
       coalesce(array_agg(r."duration_seconds" ORDER BY r."completed_at", r."id")
                  FILTER (WHERE r."status" <> 'CANCELLED' AND r."duration_seconds" IS NOT NULL), '{}'),
       coalesce(sum(r."products_found"), 0),
       coalesce(sum(r."warning_count"), 0),
       coalesce(sum(r."error_count" + r."critical_count"), 0)
  FROM "run" r
  JOIN "scraper" s ON s."id" = r."scraper_id"
 -- A zone PostgreSQL does not know (a link tzdata dropped, which Node still accepts) would fail the
 -- whole migration: its past days are counted in UTC, its runs from now on in the zone (countingZone.ts).
 CROSS JOIN LATERAL (SELECT CASE WHEN s."cron" IS NULL OR s."timezone" NOT IN (SELECT "name" FROM pg_timezone_names) THEN 'UTC'
                                 ELSE s."timezone" END) AS z(tz)
 WHERE r."status" IN ('SUCCESS', 'WARNING', 'ERROR', 'CANCELLED') AND r."completed_at" IS NOT NULL
 GROUP BY r."scraper_id", 2, z.tz;

-- A source's day is its latest run (of any of its scrapers) that its runner completed with products;
-- counts, missing fields and outliers come from that run's own quality summary.
INSERT INTO "source_day" ("source_id", "day", "run_id", "ended_at", "products", "missing", "outliers")
SELECT DISTINCT ON (s."source_id", (r."completed_at" AT TIME ZONE 'UTC')::date)
       s."source_id", (r."completed_at" AT TIME ZONE 'UTC')::date, r."id", r."completed_at",
       (r."quality"->>'productCount')::int,
       coalesce((SELECT jsonb_agg(jsonb_build_object('field', m->>'field', 'count', (m->>'missing')::int) ORDER BY m->>'field')
                   FROM jsonb_array_elements(r."quality"->'missingFields') AS m), '[]'),
       coalesce((r."quality"->>'outliers')::int, 0)
  FROM "run" r
  JOIN "scraper" s ON s."id" = r."scraper_id"
 WHERE r."status" IN ('SUCCESS', 'WARNING', 'ERROR') AND r."completed_at" IS NOT NULL
   AND (r."quality"->>'productCount')::int > 0
 ORDER BY s."source_id", (r."completed_at" AT TIME ZONE 'UTC')::date, r."completed_at" DESC, r."id" DESC;

-- A product remembers only the run that saw it last, so only each source's latest day can be given
-- its category distribution; older days keep none, and their drift stays null.
UPDATE "source_day" sd
   SET "categories" = coalesce((SELECT jsonb_object_agg(c.category, c.n)
                                  FROM (SELECT p."category", count(*) AS n FROM "product" p
                                         WHERE p."run_id" = sd."run_id" AND p."category" IS NOT NULL
                                         GROUP BY p."category") AS c), '{}')
 WHERE (sd."source_id", sd."day") IN (SELECT "source_id", max("day") FROM "source_day" GROUP BY "source_id");
