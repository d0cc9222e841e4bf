-- CreateIndex
CREATE INDEX "product_category_price_idx" ON "product"("category", "price");
