/** Stores the products a runner scraped during a run and raises the flags they deserve, once per batch. */
import { MAX_PRODUCTS_PER_BATCH } from '../../contract/limits.ts';
import type { Product } from '../../contract/product.ts';
import type { Database } from '../db/database.ts';
import { withTransaction } from '../db/withTransaction.ts';
import { NotFoundError } from '../domainErrors.ts';
import { RunStateError } from '../runs/errors.ts';
import { runExpectations } from '../scrapers/runExpectations.ts';
import { categoryNormaliser } from './categories.ts';
import { TooManyProductsError } from './errors.ts';
import { MIN_PRICES_FOR_OUTLIERS } from './outlierThreshold.ts';
import { claimProductBatch, findProductBatch, lockRunStatus, recordProductBatch, type BatchCounts } from './sql/productBatch.ts';
import { raiseProductFlags } from './sql/raiseProductFlags.ts';
import { upsertProducts } from './sql/upsertProducts.ts';

export type ReportResult = BatchCounts & { duplicate: boolean };

export async function reportProducts(
  db: Database,
  runnerId: number,
  params: { runId: number; batchId: string; products: Product[] },
): Promise<ReportResult> {
  if (params.products.length > MAX_PRODUCTS_PER_BATCH) throw new TooManyProductsError(params.products.length);
  const { runId, batchId, products } = params;

  const run = await db.prisma.run.findUnique({
    where: { id: runId },
    select: { runnerId: true, scraperId: true, scraper: { select: { sourceId: true, slug: true, name: true, config: true, source: { select: { name: true, url: true } } } } },
  });
  // A runner learns nothing about runs that are not its own.
  if (!run || run.runnerId !== runnerId) throw new NotFoundError('Run', String(runId));
  // Only a field the definition scrapes can be missing.
  const { scrapedFields, categoryAliases } = runExpectations(run.scraper);
  const normaliseCategory = categoryNormaliser(categoryAliases);

  // A batch id claimed before leaves counts null: the transaction then wrote nothing.
  const counts = await withTransaction(db.pool, async (client): Promise<BatchCounts | null> => {
    // Claiming the batch id first makes a concurrent delivery of the same batch wait here, then see it taken.
    if (!(await claimProductBatch(client, runId, batchId, products.length))) return null;
    // A retry of a batch stored while the run was live still gets its answer; new products need a live
    // run, read again under a share lock: a run ending meanwhile waits for this batch, or refuses it.
    const status = await lockRunStatus(client, runId);
    if (status !== 'RUNNING') throw new RunStateError(runId, status, 'RUNNING');
    const productIds = await upsertProducts(client, { sourceId: run.scraper.sourceId, runId, scraperId: run.scraperId, products, normaliseCategory });
    const flagsCreated = await raiseProductFlags(client, {
      runId,
      sourceId: run.scraper.sourceId,
      productIds,
      scrapedFields,
      minPricesForOutliers: MIN_PRICES_FOR_OUTLIERS,
    });
    const stored = { received: products.length, stored: productIds.length, flagsCreated };
    await recordProductBatch(client, runId, batchId, stored);
    return stored;
  });
  if (counts) return { ...counts, duplicate: false };
  const earlier = await findProductBatch(db.pool, runId, batchId);
  if (!earlier) throw new Error(`product batch ${batchId} of run ${runId} was claimed but cannot be read`);
  return { ...earlier, duplicate: true };
}
