-- Products as data: normalised categories, search, history, gone products, export links.

-- Both ship with PostgreSQL (contrib) and are trusted extensions: a database owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Lower case without accents: what product search compares. unaccent is STABLE because its
-- dictionary could change; naming the dictionary makes this wrapper safe to index.
CREATE OR REPLACE FUNCTION scrapedeck_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

-- CreateEnum
CREATE TYPE "ProductChangeKind" AS ENUM ('FIRST_SEEN', 'CHANGED', 'GONE', 'RETURNED');

-- AlterTable
ALTER TABLE "run" ADD COLUMN "listing_complete" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "products_gone" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "product" ADD COLUMN "raw_category" TEXT,
ADD COLUMN "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN "last_scraper_id" INTEGER,
ADD COLUMN "gone_at" TIMESTAMPTZ(3),
ADD COLUMN "gone_run_id" INTEGER,
ADD COLUMN "search_text" TEXT NOT NULL DEFAULT '';

-- Existing rows: the category as scraped is what was stored; the normalised one follows the
-- built-in aliases (server/products/categories.ts holds the same table), else its lower case.
CREATE TEMPORARY TABLE category_alias (alias text PRIMARY KEY, canonical text NOT NULL);
INSERT INTO category_alias (alias, canonical) VALUES
  ('flower', 'flower'), ('flowers', 'flower'), ('bud', 'flower'), ('buds', 'flower'),
  ('pre rolls', 'pre-rolls'), ('pre roll', 'pre-rolls'), ('preroll', 'pre-rolls'), ('prerolls', 'pre-rolls'), ('joint', 'pre-rolls'), ('joints', 'pre-rolls'),
  ('edibles', 'edibles'), ('edible', 'edibles'),
  ('vapes', 'vapes'), ('vape', 'vapes'), ('vaporizer', 'vapes'), ('vaporizers', 'vapes'), ('vaporiser', 'vapes'), ('vaporisers', 'vapes'),
  ('cartridge', 'vapes'), ('cartridges', 'vapes'), ('cart', 'vapes'), ('carts', 'vapes'),
  ('concentrates', 'concentrates'), ('concentrate', 'concentrates'), ('extract', 'concentrates'), ('extracts', 'concentrates'),
  ('beverages', 'beverages'), ('beverage', 'beverages'), ('drink', 'beverages'), ('drinks', 'beverages'),
  ('tinctures', 'tinctures'), ('tincture', 'tinctures'),
  ('topicals', 'topicals'), ('topical', 'topicals'),
  ('accessories', 'accessories'), ('accessory', 'accessories');

UPDATE "product" p
   SET "raw_category" = p."category",
       "category" = nullif(coalesce(a.canonical, lower(regexp_replace(btrim(p."category"), '\s+', ' ', 'g'))), ''),
       "first_seen_at" = p."scraped_at",
       "last_scraper_id" = r."scraper_id",
       "search_text" = scrapedeck_fold(p."name" || ' ' || coalesce(p."brand", '') || ' ' || p."sku")
  FROM "product" p2
  LEFT JOIN "run" r ON r."id" = p2."run_id"
  LEFT JOIN category_alias a ON a.alias = btrim(regexp_replace(lower(public.unaccent(p2."category")), '[\s_-]+', ' ', 'g'))
 WHERE p2."id" = p."id";

UPDATE "published_product" pp
   SET "category" = nullif(coalesce(a.canonical, lower(regexp_replace(btrim(pp2."category"), '\s+', ' ', 'g'))), '')
  FROM "published_product" pp2
  LEFT JOIN category_alias a ON a.alias = btrim(regexp_replace(lower(public.unaccent(pp2."category")), '[\s_-]+', ' ', 'g'))
 WHERE pp2."product_id" = pp."product_id" AND pp2."category" IS NOT NULL;

DROP TABLE category_alias;

-- CreateTable
CREATE TABLE "product_change" (
    "id" BIGSERIAL NOT NULL,
    "product_id" INTEGER NOT NULL,
    "run_id" INTEGER,
    "kind" "ProductChangeKind" NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "price" DOUBLE PRECISION,
    "thc_percent" DOUBLE PRECISION,
    "cbd_percent" DOUBLE PRECISION,

    CONSTRAINT "product_change_pkey" PRIMARY KEY ("id")
);

-- Every existing product starts its history with what was last seen of it.
INSERT INTO "product_change" ("product_id", "run_id", "kind", "seen_at", "price", "thc_percent", "cbd_percent")
SELECT "id", "run_id", 'FIRST_SEEN', "scraped_at", "price", "thc_percent", "cbd_percent" FROM "product" ORDER BY "id";

-- CreateTable
CREATE TABLE "export_ticket" (
    "id" SERIAL NOT NULL,
    "ticket_hash" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "principal" TEXT NOT NULL,
    "role" "TokenRole" NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "export_ticket_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "product_name_id_search_text_idx" ON "product"("name", "id", "search_text");

-- CreateIndex
CREATE INDEX "product_price_id_search_text_idx" ON "product"("price", "id", "search_text");

-- CreateIndex
CREATE INDEX "product_scraped_at_id_search_text_idx" ON "product"("scraped_at" DESC, "id" DESC, "search_text");

-- CreateIndex
CREATE INDEX "product_last_scraper_id_idx" ON "product"("last_scraper_id");

-- CreateIndex
CREATE INDEX "product_gone_run_id_idx" ON "product"("gone_run_id");

-- CreateIndex
CREATE INDEX "product_search_text_idx" ON "product" USING GIN ("search_text" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "product_change_product_id_seen_at_idx" ON "product_change"("product_id", "seen_at" DESC);

-- CreateIndex
CREATE INDEX "product_change_run_id_idx" ON "product_change"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "export_ticket_ticket_hash_key" ON "export_ticket"("ticket_hash");

-- CreateIndex
CREATE INDEX "export_ticket_expires_at_idx" ON "export_ticket"("expires_at");

-- AddForeignKey
ALTER TABLE "product" ADD CONSTRAINT "product_last_scraper_id_fkey" FOREIGN KEY ("last_scraper_id") REFERENCES "scraper"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product" ADD CONSTRAINT "product_gone_run_id_fkey" FOREIGN KEY ("gone_run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_change" ADD CONSTRAINT "product_change_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_change" ADD CONSTRAINT "product_change_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
