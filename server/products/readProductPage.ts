/**
 * A page of the products list for resolveCursorConnection: the ids in order from the keyset query,
 * then the products themselves loaded through Prisma with whatever the GraphQL selection needs.
 */
import type pg from 'pg';
import type { ProductFilter } from './productFilter.ts';
import { decodeProductCursor, encodeProductCursor, type ProductSort, type SortDirection } from './productSort.ts';
import { readsPublishedValues, type PublishedValues } from './publishedValues.ts';
import { listProducts } from './sql/listProducts.ts';
import { readPublishedValues } from './sql/readPublishedValues.ts';

const flip = (direction: SortDirection): SortDirection => (direction === 'ASC' ? 'DESC' : 'ASC');

export type PageRequest = { after?: string; before?: string; limit: number; inverted: boolean };

/**
 * The products of one page in order, each with its cursor, and the filter's exact count when reading
 * the page found it. `load` fetches the products by id (in any order); those deleted between the two
 * reads are left out. A page of published products carries each one's published values in place of
 * the ones stored since (see publishedValues.ts).
 */
export async function readProductPage<P extends { id: number } & PublishedValues>(
  pool: pg.Pool,
  params: { filter: ProductFilter; sort: ProductSort; direction: SortDirection; page: PageRequest },
  load: (ids: number[]) => Promise<P[]>,
): Promise<{ products: Array<{ product: P; cursor: string }>; matches: number | null; moreThan: number | null }> {
  const { sort, page } = params;
  // Read backwards (last/before), the page walks the exact reverse order from `before`; the relay helper reverses it back.
  const order = page.inverted
    ? { sort, direction: flip(params.direction), nullsLast: false }
    : { sort, direction: params.direction, nullsLast: true };
  const from = page.inverted ? page.before : page.after;
  const after = from ? decodeProductCursor(from, sort, page.inverted ? 'before' : 'after') : null;
  const { rows, matches, moreThan } = await listProducts(pool, { filter: params.filter, order, after, limit: page.limit });
  if (rows.length === 0) return { products: [], matches, moreThan };
  const ids = rows.map((row) => row.id);
  const [loaded, published] = await Promise.all([load(ids), readsPublishedValues(params.filter) ? readPublishedValues(pool, ids) : null]);
  const byId = new Map(loaded.map((product) => [product.id, product]));
  const products = rows.flatMap((row) => {
    const product = byId.get(row.id);
    const values = published?.get(row.id);
    // A published read never falls back to values that were not published.
    if (!product || (published && !values)) return [];
    return [{ product: values ? { ...product, ...values } : product, cursor: encodeProductCursor({ sort, key: row.key, id: row.id }) }];
  });
  return { products, matches, moreThan };
}
