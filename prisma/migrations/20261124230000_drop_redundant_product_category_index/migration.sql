-- product (category, price) serves every lookup by category: the single-column index only cost writes.
DROP INDEX "product_category_idx";
