/**
 * How the products list can be ordered, and its opaque cursors: each cursor carries the sort it was
 * made for, the row's sort key and its id, so that the next page starts exactly after it (keyset),
 * and a cursor of another sort is refused instead of silently starting somewhere else.
 */
import { GraphQLError } from 'graphql';

export const PRODUCT_SORTS = ['NAME', 'PRICE', 'LAST_SEEN'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];
export const SORT_DIRECTIONS = ['ASC', 'DESC'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** The longest search a product filter takes: longer than any name, brand or SKU it could match is pointless. */
export const MAX_PRODUCT_SEARCH_LENGTH = 200;

/** The sort key of a row: name, price (null when unknown) or last seen (ISO time). */
export type SortKey = string | number | null;

export type ProductPosition = { sort: ProductSort; key: SortKey; id: number };

const PREFIX = 'Product:';

export function encodeProductCursor(position: ProductPosition): string {
  return Buffer.from(`${PREFIX}${JSON.stringify([position.sort, position.key, position.id])}`, 'utf8').toString('base64');
}

const refused = (argumentName: string) =>
  new GraphQLError(`${argumentName} is not a products cursor of this sort: pass a cursor of an earlier page with the same sort`, {
    extensions: { code: 'BAD_USER_INPUT', argumentName },
  });

/** The position a cursor stands for; a GraphQLError with code BAD_USER_INPUT for anything else. */
export function decodeProductCursor(cursor: string, sort: ProductSort, argumentName: string): ProductPosition {
  const text = cursor.length <= 1200 ? Buffer.from(cursor, 'base64').toString('utf8') : '';
  if (!text.startsWith(PREFIX)) throw refused(argumentName);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(PREFIX.length));
  } catch {
    throw refused(argumentName);
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== sort) throw refused(argumentName);
  const [, key, id] = parsed as [unknown, unknown, unknown];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) throw refused(argumentName);
  const keyFits =
    sort === 'NAME'
      ? typeof key === 'string'
      : sort === 'PRICE'
        ? key === null || (typeof key === 'number' && Number.isFinite(key))
        : typeof key === 'string' && !Number.isNaN(Date.parse(key));
  if (!keyFits) throw refused(argumentName);
  const position = { sort, key: key as SortKey, id };
  // Re-encoding catches what Buffer's lenient base64 decoder lets through.
  if (encodeProductCursor(position) !== cursor) throw refused(argumentName);
  return position;
}

const COLUMN: Record<ProductSort, string> = { NAME: 'p.name', PRICE: 'p.price', LAST_SEEN: 'p.scraped_at' };

/** The ORDER BY list (without the keywords) for a sort over `product p`; it walks the matching (column, id) index. */
export function productOrderSql(sort: ProductSort, direction: SortDirection): string {
  const nulls = sort === 'PRICE' ? ' NULLS LAST' : '';
  return `${COLUMN[sort]} ${direction}${nulls}, p.id ${direction}`;
}
