-- CreateEnum
CREATE TYPE "Publication" AS ENUM ('NONE', 'PUBLISHED', 'HELD', 'APPROVED', 'SUPERSEDED');

-- CreateEnum
CREATE TYPE "FreshnessStatus" AS ENUM ('FRESH', 'STALE', 'CRITICAL');

-- CreateEnum
CREATE TYPE "AlertChannelKind" AS ENUM ('WEBHOOK', 'SLACK', 'EMAIL');

-- CreateEnum
CREATE TYPE "AlertRuleKind" AS ENUM ('RUN_ERROR', 'CONSECUTIVE_FAILURES', 'RUN_WARNING', 'SOURCE_FRESHNESS', 'EXPECTED_RUN_MISSING', 'RUNNER_OFFLINE', 'QUALITY_GATE');

-- CreateEnum
CREATE TYPE "IncidentStatus" AS ENUM ('OPEN', 'ACKNOWLEDGED', 'RESOLVED');

-- CreateEnum
CREATE TYPE "IncidentEventKind" AS ENUM ('OPENED', 'RECURRED', 'ACKNOWLEDGED', 'RESOLVED');

-- CreateEnum
CREATE TYPE "NotificationEvent" AS ENUM ('OPENED', 'RESOLVED', 'TEST');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- AlterTable
ALTER TABLE "source" ADD COLUMN "last_delivered_at" TIMESTAMPTZ(3),
ADD COLUMN "freshness_state" "FreshnessStatus",
ADD COLUMN "freshness_changed_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "scraper" ADD COLUMN "alerts_snoozed_until" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "run" ADD COLUMN "warnings" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN "expected_products" INTEGER,
ADD COLUMN "quality" JSONB,
ADD COLUMN "publication" "Publication" NOT NULL DEFAULT 'NONE',
ADD COLUMN "published_at" TIMESTAMPTZ(3);

-- Runs that ended before publication existed delivered what they stored.
UPDATE "run" SET "publication" = 'PUBLISHED', "published_at" = "completed_at"
 WHERE "status" IN ('SUCCESS', 'WARNING') AND "products_found" > 0;

-- A source's data is as fresh as its latest good run that delivered products.
UPDATE "source" s SET "last_delivered_at" = d.at
  FROM (SELECT sc.source_id, max(r.completed_at) AS at
          FROM "run" r JOIN "scraper" sc ON sc.id = r.scraper_id
         WHERE r.status IN ('SUCCESS', 'WARNING') AND r.products_found > 0
         GROUP BY sc.source_id) d
 WHERE d.source_id = s.id;

-- CreateTable
CREATE TABLE "published_product" (
    "product_id" INTEGER NOT NULL,
    "run_id" INTEGER,
    "name" TEXT NOT NULL,
    "brand" TEXT,
    "category" TEXT,
    "price" DOUBLE PRECISION,
    "thc_percent" DOUBLE PRECISION,
    "cbd_percent" DOUBLE PRECISION,
    "url" TEXT,
    "scraped_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "published_product_pkey" PRIMARY KEY ("product_id")
);

-- Every product stored so far was published when it was stored.
INSERT INTO "published_product" (product_id, run_id, name, brand, category, price, thc_percent, cbd_percent, url, scraped_at, published_at)
SELECT id, run_id, name, brand, category, price, thc_percent, cbd_percent, url, scraped_at, scraped_at FROM "product";

-- CreateTable
CREATE TABLE "alert_channel" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AlertChannelKind" NOT NULL,
    "url" TEXT,
    "secret" TEXT,
    "recipients" TEXT[] NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_channel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_rule" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AlertRuleKind" NOT NULL,
    "scraper_id" INTEGER,
    "threshold" INTEGER,
    "warning_reasons" TEXT[] NOT NULL DEFAULT '{}',
    "freshness_level" "FreshnessStatus",
    "grace_minutes" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "snoozed_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_rule_channel" (
    "rule_id" INTEGER NOT NULL,
    "channel_id" INTEGER NOT NULL,

    CONSTRAINT "alert_rule_channel_pkey" PRIMARY KEY ("rule_id","channel_id")
);

-- CreateTable
CREATE TABLE "incident" (
    "id" SERIAL NOT NULL,
    "rule_id" INTEGER NOT NULL,
    "subject_key" TEXT NOT NULL,
    "open_key" TEXT,
    "scraper_id" INTEGER,
    "source_id" INTEGER,
    "runner_id" INTEGER,
    "status" "IncidentStatus" NOT NULL DEFAULT 'OPEN',
    "title" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "occurrences" INTEGER NOT NULL DEFAULT 1,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_event_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "incident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incident_event" (
    "id" SERIAL NOT NULL,
    "incident_id" INTEGER NOT NULL,
    "kind" "IncidentEventKind" NOT NULL,
    "message" TEXT NOT NULL,
    "run_id" INTEGER,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "incident_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification" (
    "id" SERIAL NOT NULL,
    "message_id" TEXT NOT NULL,
    "channel_id" INTEGER NOT NULL,
    "incident_id" INTEGER,
    "event" "NotificationEvent" NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "NotificationStatus" NOT NULL DEFAULT 'PENDING',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_attempt" (
    "id" SERIAL NOT NULL,
    "notification_id" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status_code" INTEGER,
    "ok" BOOLEAN NOT NULL,
    "error" TEXT,
    "response" TEXT,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "delivery_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "run_publication_idx" ON "run"("publication");

-- CreateIndex
CREATE INDEX "published_product_run_id_idx" ON "published_product"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "alert_channel_name_key" ON "alert_channel"("name");

-- CreateIndex
CREATE INDEX "alert_rule_scraper_id_idx" ON "alert_rule"("scraper_id");

-- CreateIndex
CREATE INDEX "alert_rule_channel_channel_id_idx" ON "alert_rule_channel"("channel_id");

-- CreateIndex
CREATE INDEX "incident_rule_id_subject_key_idx" ON "incident"("rule_id", "subject_key");

-- CreateIndex
CREATE INDEX "incident_status_last_event_at_idx" ON "incident"("status", "last_event_at" DESC);

-- CreateIndex
CREATE INDEX "incident_scraper_id_idx" ON "incident"("scraper_id");

-- CreateIndex
CREATE INDEX "incident_source_id_idx" ON "incident"("source_id");

-- CreateIndex
CREATE INDEX "incident_runner_id_idx" ON "incident"("runner_id");

-- CreateIndex
CREATE UNIQUE INDEX "incident_open_key_key" ON "incident"("open_key");

-- CreateIndex
CREATE INDEX "incident_event_incident_id_at_idx" ON "incident_event"("incident_id", "at");

-- CreateIndex
CREATE INDEX "incident_event_run_id_idx" ON "incident_event"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "notification_message_id_key" ON "notification"("message_id");

-- CreateIndex
CREATE INDEX "notification_status_next_attempt_at_idx" ON "notification"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "notification_channel_id_created_at_idx" ON "notification"("channel_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "notification_incident_id_idx" ON "notification"("incident_id");

-- CreateIndex
CREATE INDEX "delivery_attempt_notification_id_at_idx" ON "delivery_attempt"("notification_id", "at");

-- AddForeignKey
ALTER TABLE "published_product" ADD CONSTRAINT "published_product_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "published_product" ADD CONSTRAINT "published_product_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rule" ADD CONSTRAINT "alert_rule_scraper_id_fkey" FOREIGN KEY ("scraper_id") REFERENCES "scraper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rule_channel" ADD CONSTRAINT "alert_rule_channel_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rule_channel" ADD CONSTRAINT "alert_rule_channel_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "alert_channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident" ADD CONSTRAINT "incident_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident" ADD CONSTRAINT "incident_scraper_id_fkey" FOREIGN KEY ("scraper_id") REFERENCES "scraper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident" ADD CONSTRAINT "incident_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "source"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident" ADD CONSTRAINT "incident_runner_id_fkey" FOREIGN KEY ("runner_id") REFERENCES "runner"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident_event" ADD CONSTRAINT "incident_event_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident_event" ADD CONSTRAINT "incident_event_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification" ADD CONSTRAINT "notification_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "alert_channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification" ADD CONSTRAINT "notification_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempt" ADD CONSTRAINT "delivery_attempt_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notification"("id") ON DELETE CASCADE ON UPDATE CASCADE;
