/**
 * One page of the products list: the ids (and sort keys) of the products a filter selects, in the
 * chosen order, starting after a position (keyset pagination over (sort key, id), along the indexes
 * (name, id), (price, id) and (scraped_at, id)). Unknown prices sort last in either direction.
 */
import type pg from 'pg';
import { productFilterSql, type ProductFilter } from '../productFilter.ts';
import type { ProductPosition, ProductSort, SortDirection, SortKey } from '../productSort.ts';

type ListedProduct = { id: number; key: SortKey };

const COLUMN: Record<ProductSort, string> = { NAME: 'p.name', PRICE: 'p.price', LAST_SEEN: 'p.scraped_at' };
const KEY_TYPE: Record<ProductSort, string> = { NAME: 'text', PRICE: 'float8', LAST_SEEN: 'timestamptz' };

/**
 * `nullsLast` is given apart from the direction because a page read backwards (last/before) walks
 * the exact reverse of the order, whose unknown prices then come first.
 */
export type ProductOrder = { sort: ProductSort; direction: SortDirection; nullsLast: boolean };

function afterCondition(order: ProductOrder, after: ProductPosition, param: (v: unknown) => string): string {
  const column = COLUMN[order.sort];
  const cmp = order.direction === 'ASC' ? '>' : '<';
  const id = param(after.id);
  if (after.key === null) {
    // Only prices are ever null; past the unknown prices (nulls last) nothing follows but unknown prices with a later id.
    const sameNulls = `(${column} IS NULL AND p.id ${cmp} ${id})`;
    return order.nullsLast ? sameNulls : `(${sameNulls} OR ${column} IS NOT NULL)`;
  }
  const past = `(${column}, p.id) ${cmp} (${param(after.key)}::${KEY_TYPE[order.sort]}, ${id})`;
  return order.sort === 'PRICE' && order.nullsLast ? `(${past} OR ${column} IS NULL)` : past;
}

/**
 * A search selects by the trigram index, whose matches come in no useful order; walking a sort index
 * and testing each row instead is fast only when matches are spread evenly along it, and names are
 * not (every "Jalapeño …" sorts together). So a search first gathers up to this many matches through
 * the trigram index and sorts them; only a search matching more walks the sort index, as a filter
 * without a search does.
 */
const GATHERED_MATCHES = 10_000;

export type ListedPage = {
  rows: ListedProduct[];
  /** The filter's exact count, when gathering found it. */
  matches: number | null;
  /** When gathering stopped short: more than this many products match (so a count need not walk them again). */
  moreThan: number | null;
};

export async function listProducts(
  db: pg.Pool | pg.ClientBase,
  params: { filter: ProductFilter | null | undefined; order: ProductOrder; after: ProductPosition | null; limit: number },
): Promise<ListedPage> {
  if (params.filter?.search?.trim()) {
    const gathered = await queryPage(db, params, GATHERED_MATCHES);
    if (gathered.matches !== null && gathered.matches <= GATHERED_MATCHES) return gathered;
    return { ...(await queryPage(db, params, null)), moreThan: GATHERED_MATCHES };
  }
  return queryPage(db, params, null);
}

async function queryPage(
  db: pg.Pool | pg.ClientBase,
  params: { filter: ProductFilter | null | undefined; order: ProductOrder; after: ProductPosition | null; limit: number },
  gather: number | null,
): Promise<ListedPage> {
  const { order } = params;
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const filter = productFilterSql(params.filter, values);
  const after = params.after ? afterCondition(order, params.after, param) : 'true';
  const column = COLUMN[order.sort];
  const nulls = order.sort === 'PRICE' ? (order.nullsLast ? ' NULLS LAST' : ' NULLS FIRST') : '';
  const key = order.sort === 'LAST_SEEN' ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : column;
  const page = (from: string, where: string) => `SELECT p.id, ${key} AS key
             FROM ${from}
            WHERE ${where}
            ORDER BY ${column} ${order.direction}${nulls}, p.id ${order.direction}
            LIMIT ${param(params.limit)}`;
  if (gather === null) {
    const { rows } = await db.query<ListedProduct>({ text: page('product p', `${filter} AND ${after}`), values });
    return { rows, matches: null, moreThan: null };
  }
  // MATERIALIZED keeps the gathering apart from the ordering, so that it uses the trigram index.
  const { rows } = await db.query<ListedProduct & { matches: number }>({
    text: `WITH m AS MATERIALIZED (
             SELECT p.id, p.name, p.price, p.scraped_at FROM product p WHERE ${filter} LIMIT ${param(gather + 1)}
           )
           SELECT c.matches, pg.id, pg.key
             FROM (SELECT count(*)::int AS matches FROM m) c
             LEFT JOIN LATERAL (${page('m p', after)}) pg ON true`,
    values,
  });
  const matches = rows[0]!.matches;
  return { rows: rows.filter((r) => r.id !== null).map((r) => ({ id: r.id, key: r.key })), matches, moreThan: null };
}
