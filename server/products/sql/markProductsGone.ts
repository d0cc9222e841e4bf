/**
 * At the end of a run: stores whether its runner read the whole listing and, when the run may say
 * so, marks the products of its scraper it no longer saw as gone, with a GONE history entry each.
 * Gone products are kept (not deleted): "products that disappeared" is a filter.
 */
import type pg from 'pg';

/**
 * Only the scraper's own products (last_scraper_id) can go: another scraper of the same source, or a
 * run that saw part of the listing, says nothing about them. A product this run stored has run_id =
 * this run. GONE entries carry no values: nothing was seen.
 */
const MARK_PRODUCTS_GONE = `
WITH gone AS (
  UPDATE product p
     SET gone_at = now(), gone_run_id = $2
   WHERE $4::boolean AND p.last_scraper_id = $1 AND p.gone_at IS NULL AND p.run_id IS DISTINCT FROM $2
  RETURNING p.id
), history AS (
  INSERT INTO product_change (product_id, run_id, kind, seen_at)
  SELECT id, $2, 'GONE', now() FROM gone
)
UPDATE run SET listing_complete = $3, products_gone = (SELECT count(*) FROM gone) WHERE id = $2
RETURNING products_gone AS "productsGone"`;

/** The number of products marked gone (0 unless `markGone`). */
export async function markProductsGone(
  client: pg.ClientBase,
  params: { scraperId: number; runId: number; listingComplete: boolean; markGone: boolean },
): Promise<number> {
  const { rows } = await client.query<{ productsGone: number }>({
    name: 'mark_products_gone',
    text: MARK_PRODUCTS_GONE,
    values: [params.scraperId, params.runId, params.listingComplete, params.markGone],
  });
  return rows[0]!.productsGone;
}
