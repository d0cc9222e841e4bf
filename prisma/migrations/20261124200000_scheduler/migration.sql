-- CreateEnum
CREATE TYPE "SchedulerTickOutcome" AS ENUM ('QUEUED', 'SKIPPED_OVERLAP', 'SKIPPED_MISSED');

-- AlterTable
ALTER TABLE "scraper" ADD COLUMN     "scheduled_through" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "run" ADD COLUMN     "retry_of_id" INTEGER;

-- CreateTable
CREATE TABLE "scheduler_tick" (
    "id" SERIAL NOT NULL,
    "scraper_id" INTEGER NOT NULL,
    "fire_at" TIMESTAMPTZ(3) NOT NULL,
    "outcome" "SchedulerTickOutcome" NOT NULL,
    "caught_up" BOOLEAN NOT NULL DEFAULT false,
    "run_id" INTEGER,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scheduler_tick_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "run_retry_of_id_key" ON "run"("retry_of_id");

-- CreateIndex
CREATE INDEX "scheduler_tick_run_id_idx" ON "scheduler_tick"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "scheduler_tick_scraper_id_fire_at_key" ON "scheduler_tick"("scraper_id", "fire_at");

-- AddForeignKey
ALTER TABLE "run" ADD CONSTRAINT "run_retry_of_id_fkey" FOREIGN KEY ("retry_of_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scheduler_tick" ADD CONSTRAINT "scheduler_tick_scraper_id_fkey" FOREIGN KEY ("scraper_id") REFERENCES "scraper"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scheduler_tick" ADD CONSTRAINT "scheduler_tick_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
