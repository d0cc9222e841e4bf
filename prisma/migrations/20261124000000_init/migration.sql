-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCESS', 'WARNING', 'ERROR', 'CANCELLED');

-- CreateEnum
CREATE TYPE "TriggeredBy" AS ENUM ('MANUAL', 'SCHEDULER', 'API');

-- CreateEnum
CREATE TYPE "LogLevel" AS ENUM ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL');

-- CreateEnum
CREATE TYPE "FlagKind" AS ENUM ('PRICE_OUTLIER', 'DUPLICATE', 'MISSING_FIELD');

-- CreateEnum
CREATE TYPE "FlagStatus" AS ENUM ('PENDING', 'APPROVED', 'DISMISSED');

-- CreateEnum
CREATE TYPE "TokenRole" AS ENUM ('ADMIN', 'VIEWER');

-- CreateEnum
CREATE TYPE "MissedRunPolicy" AS ENUM ('SKIP', 'RUN_ONCE');

-- CreateTable
CREATE TABLE "source" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "stale_after_minutes" INTEGER NOT NULL DEFAULT 1440,
    "critical_after_minutes" INTEGER NOT NULL DEFAULT 4320,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "source_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scraper" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "source_id" INTEGER NOT NULL,
    "cron" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "config" JSONB NOT NULL DEFAULT '{}',
    "max_retries" INTEGER NOT NULL DEFAULT 2,
    "missed_run_policy" "MissedRunPolicy" NOT NULL DEFAULT 'RUN_ONCE',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scraper_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run" (
    "id" SERIAL NOT NULL,
    "scraper_id" INTEGER NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "triggered_by" "TriggeredBy" NOT NULL,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "duration_seconds" DOUBLE PRECISION,
    "products_found" INTEGER NOT NULL DEFAULT 0,
    "products_processed" INTEGER NOT NULL DEFAULT 0,
    "flags_created" INTEGER NOT NULL DEFAULT 0,
    "error_message" TEXT,
    "error_type" TEXT,
    "retry_count" INTEGER NOT NULL DEFAULT 0,
    "runner_id" INTEGER,
    "lease_expires_at" TIMESTAMPTZ(3),
    "last_seq" INTEGER NOT NULL DEFAULT 0,
    "debug_count" INTEGER NOT NULL DEFAULT 0,
    "info_count" INTEGER NOT NULL DEFAULT 0,
    "warning_count" INTEGER NOT NULL DEFAULT 0,
    "error_count" INTEGER NOT NULL DEFAULT 0,
    "critical_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "log_line" (
    "run_id" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "level" "LogLevel" NOT NULL,
    "message" TEXT NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "log_line_pkey" PRIMARY KEY ("run_id","seq")
);

-- CreateTable
CREATE TABLE "log_batch" (
    "run_id" INTEGER NOT NULL,
    "batch_id" TEXT NOT NULL,
    "from_seq" INTEGER NOT NULL,
    "to_seq" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "log_batch_pkey" PRIMARY KEY ("run_id","batch_id")
);

-- CreateTable
CREATE TABLE "runner" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "runner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_token" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "role" "TokenRole" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product" (
    "id" SERIAL NOT NULL,
    "source_id" INTEGER NOT NULL,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "brand" TEXT,
    "category" TEXT,
    "price" DOUBLE PRECISION,
    "thc_percent" DOUBLE PRECISION,
    "cbd_percent" DOUBLE PRECISION,
    "url" TEXT,
    "scraped_at" TIMESTAMPTZ(3) NOT NULL,
    "run_id" INTEGER,

    CONSTRAINT "product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flag" (
    "id" SERIAL NOT NULL,
    "kind" "FlagKind" NOT NULL,
    "status" "FlagStatus" NOT NULL DEFAULT 'PENDING',
    "product_id" INTEGER NOT NULL,
    "run_id" INTEGER,
    "detail" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "flag_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "source_name_key" ON "source"("name");

-- CreateIndex
CREATE UNIQUE INDEX "scraper_slug_key" ON "scraper"("slug");

-- CreateIndex
CREATE INDEX "scraper_source_id_idx" ON "scraper"("source_id");

-- CreateIndex
CREATE INDEX "run_queued_at_id_idx" ON "run"("queued_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "run_scraper_id_queued_at_id_idx" ON "run"("scraper_id", "queued_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "run_status_queued_at_id_idx" ON "run"("status", "queued_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "run_triggered_by_queued_at_id_idx" ON "run"("triggered_by", "queued_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "run_runner_id_idx" ON "run"("runner_id");

-- CreateIndex
CREATE UNIQUE INDEX "runner_name_key" ON "runner"("name");

-- CreateIndex
CREATE UNIQUE INDEX "runner_key_hash_key" ON "runner"("key_hash");

-- CreateIndex
CREATE UNIQUE INDEX "api_token_token_hash_key" ON "api_token"("token_hash");

-- CreateIndex
CREATE INDEX "product_category_idx" ON "product"("category");

-- CreateIndex
CREATE INDEX "product_run_id_idx" ON "product"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "product_source_id_sku_key" ON "product"("source_id", "sku");

-- CreateIndex
CREATE INDEX "flag_status_created_at_idx" ON "flag"("status", "created_at" DESC);

-- CreateIndex
CREATE INDEX "flag_run_id_idx" ON "flag"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "flag_product_id_kind_key" ON "flag"("product_id", "kind");

-- AddForeignKey
ALTER TABLE "scraper" ADD CONSTRAINT "scraper_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "source"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run" ADD CONSTRAINT "run_scraper_id_fkey" FOREIGN KEY ("scraper_id") REFERENCES "scraper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run" ADD CONSTRAINT "run_runner_id_fkey" FOREIGN KEY ("runner_id") REFERENCES "runner"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "log_line" ADD CONSTRAINT "log_line_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "log_batch" ADD CONSTRAINT "log_batch_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product" ADD CONSTRAINT "product_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "source"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product" ADD CONSTRAINT "product_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flag" ADD CONSTRAINT "flag_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flag" ADD CONSTRAINT "flag_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
