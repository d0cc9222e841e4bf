-- CreateTable
CREATE TABLE "product_batch" (
    "run_id" INTEGER NOT NULL,
    "batch_id" TEXT NOT NULL,
    "received" INTEGER NOT NULL,
    "stored" INTEGER NOT NULL,
    "flags_created" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_batch_pkey" PRIMARY KEY ("run_id","batch_id")
);

-- CreateIndex
CREATE INDEX "run_scraper_id_status_completed_at_idx" ON "run"("scraper_id", "status", "completed_at" DESC);

-- CreateIndex
CREATE INDEX "product_source_id_category_idx" ON "product"("source_id", "category");

-- CreateIndex
CREATE INDEX "product_source_id_name_brand_idx" ON "product"("source_id", "name", "brand");

-- AddForeignKey
ALTER TABLE "product_batch" ADD CONSTRAINT "product_batch_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
