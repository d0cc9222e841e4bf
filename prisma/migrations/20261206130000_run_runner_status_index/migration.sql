-- DropIndex
DROP INDEX "run_runner_id_idx";

-- CreateIndex
CREATE INDEX "run_runner_id_status_completed_at_idx" ON "run"("runner_id", "status", "completed_at" DESC);
