-- CreateIndex
CREATE INDEX "scheduler_tick_scraper_id_outcome_fire_at_idx" ON "scheduler_tick"("scraper_id", "outcome", "fire_at" DESC);
