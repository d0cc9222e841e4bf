/**
 * The products phase: products topped up to the full catalogue size (1,000,000 at full scale) with
 * names, brands and SKUs of the kind shops list, some accented; then the products list as the admin
 * and integrators read it (search, filter + sort pages, totalCount, a product with its history), and
 * the bytes a history entry takes, from which docs/products.md's space estimate comes.
 */
import type pg from 'pg';
import { holdConnection } from '../server/db/heldConnection.ts';

type Probe = { name: string; query: string; variables: (i: number) => object };

const STRAINS = ['Blue Dream', 'Sour Diesel', 'OG Kush', 'Gelato', 'Wedding Cake', 'Runtz', 'Zkittlez', 'Jack Herer', 'Northern Lights', 'Pineapple Express',
  'Crème Brûlée', 'Jalapeño Haze', 'Açaí Berry', 'Mango Tango', 'Lemon Drop', 'Purple Haze', 'Granddaddy Purple', 'Cherry Pie', 'Tangie', 'Sherbet'];
const FORMS = ['3.5g', '7g', 'Gummies 10pk', 'Chocolate Bar', 'Cartridge 1g', 'Disposable 0.5g', 'Tincture 30ml', 'Balm', 'Pre-Roll 1g', 'Live Resin 1g'];
const CATEGORIES = ['flower', 'flower', 'edibles', 'edibles', 'vapes', 'vapes', 'tinctures', 'topicals', 'pre-rolls', 'concentrates'];
const BRANDS = ['Cloud Nine', 'Emerald Fields', 'Sunny Acres', 'Sweet Leaf', 'Treat Co', 'Vapor Lab', 'Golden Hour', 'Pacific Growers', 'Calm Drops', 'Señor Verde'];

export type ProductSearchData = { products: number; sourceIds: number[]; productIds: number[]; seconds: number };

/**
 * Adds products until the table holds `total`; the trigram index is built once after the load, which
 * is how a bulk import would do it, instead of row by row.
 */
export async function loadSearchProducts(pool: pg.Pool, total: number): Promise<ProductSearchData> {
  const started = performance.now();
  const held = await holdConnection(pool);
  const { client } = held;
  try {
    const { rows: counted } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM product`);
    const missing = Math.max(0, total - counted[0]!.n);
    const { rows: sources } = await client.query<{ id: number }>(`SELECT id FROM source ORDER BY id`);
    const sourceIds = sources.map((s) => s.id);
    await client.query(`DROP INDEX product_search_text_idx`);
    // Existing bulk products get the folded text ingest would have given them.
    await client.query(`UPDATE product SET search_text = scrapedeck_fold(name || ' ' || coalesce(brand, '') || ' ' || sku) WHERE search_text = ''`);
    await client.query(
      `INSERT INTO product (source_id, sku, name, brand, category, raw_category, price, thc_percent, cbd_percent, url, scraped_at, first_seen_at, search_text)
       SELECT p.source_id, p.sku, p.name, p.brand, p.category, p.category, p.price, p.thc, p.cbd, p.url, p.seen, p.seen - interval '30 days',
              scrapedeck_fold(p.name || ' ' || coalesce(p.brand, '') || ' ' || p.sku)
         FROM (SELECT $2::int[] AS ids, $3::text[] AS strains, $4::text[] AS forms, $5::text[] AS categories, $6::text[] AS brands) a
        CROSS JOIN generate_series(1, $1) i
        CROSS JOIN LATERAL (SELECT
              a.ids[1 + i % array_length(a.ids, 1)] AS source_id,
              'CAT-' || lpad(i::text, 7, '0') AS sku,
              a.strains[1 + (i * 7) % 20] || ' ' || a.forms[1 + (i / 20) % 10] || ' #' || i AS name,
              CASE WHEN i % 9 = 0 THEN NULL ELSE a.brands[1 + (i / 3) % 10] END AS brand,
              a.categories[1 + (i / 20) % 10] AS category,
              CASE WHEN i % 13 = 0 THEN NULL ELSE 5 + (i::int8 * 7919) % 120 END AS price,
              (i % 300) / 10.0 AS thc, (i % 200) / 10.0 AS cbd,
              'https://shop.example.com/p/' || i AS url,
              now() - (i % 5000) * interval '1 minute' AS seen) p`,
      [missing, sourceIds, STRAINS, FORMS, CATEGORIES, BRANDS],
    );
    await client.query(`CREATE INDEX product_search_text_idx ON product USING GIN (search_text gin_trgm_ops)`);
    const { rows: ids } = await client.query<{ id: number }>(`SELECT id FROM product ORDER BY id DESC LIMIT 1000`);
    return { products: counted[0]!.n + missing, sourceIds, productIds: ids.map((r) => r.id), seconds: (performance.now() - started) / 1000 };
  } finally {
    held.release();
  }
}

const PRODUCTS = `query Products($filter: ProductFilter, $sort: ProductSort, $direction: SortDirection, $after: String) {
  products(first: 50, filter: $filter, sort: $sort, direction: $direction, after: $after) {
    totalCount totalCountExact
    edges { cursor node { id sku name brand category price lastSeenAt flagged published source { id name } } }
    pageInfo { endCursor hasNextPage }
  }
}`;

/** Searches matching up to a few thousand products (a SKU, a product), accented and not. */
const SELECTIVE = ['CAT-0123456', 'cat-00042', 'cat-0099', 'jalapeno haze 7g #9', 'crème brûlée balm', 'ACAI BERRY live resin 1g #2', 'kush #4242'];
/** Searches matching 3 to 10% of the catalogue (a strain, a form, a brand), whose matches sort together by name. */
const COMMON = ['blue dream', 'gummies', 'señor verde', 'jalapeño', 'live resin', 'sweet leaf'];

export function productProbes(data: ProductSearchData): Probe[] {
  const search = (i: number) => SELECTIVE[i % SELECTIVE.length]!;
  const common = (i: number) => COMMON[i % COMMON.length]!;
  const source = (i: number) => String(data.sourceIds[(i * 7) % data.sourceIds.length]);
  return [
    { name: `products(first: 50) by name, totalCount (${data.products.toLocaleString('en-US')} products)`, query: PRODUCTS, variables: () => ({}) },
    { name: 'products(first: 50, search matching ≤ 10,000), totalCount', query: PRODUCTS, variables: (i) => ({ filter: { search: search(i) } }) },
    { name: 'products(first: 50, search matching 3-10%), totalCount', query: PRODUCTS, variables: (i) => ({ filter: { search: common(i) } }) },
    {
      name: 'products(first: 50, category + search, sort: PRICE DESC), totalCount',
      query: PRODUCTS,
      variables: (i) => ({ filter: { category: (['Edible', 'vape', 'FLOWER'] as const)[i % 3], search: search(i) }, sort: 'PRICE', direction: 'DESC' }),
    },
    {
      name: 'products(first: 50, sourceId, gone: false, sort: LAST_SEEN DESC), totalCount',
      query: PRODUCTS,
      variables: (i) => ({ filter: { sourceId: source(i), gone: false }, sort: 'LAST_SEEN', direction: 'DESC' }),
    },
    {
      name: 'product(id) with history',
      query: `query($id: ID!) { product(id: $id) { id name price history { kind seenAt price thcPercent cbdPercent available run { id } } } }`,
      variables: (i) => ({ id: String(data.productIds[i % data.productIds.length]) }),
    },
  ];
}

export type HistorySpace = {
  sampleRows: number;
  /** Table, its indexes and TOAST, per row, as pg_total_relation_size measures them. */
  bytesPerRow: number;
  /** pg_column_size of the row itself (no page or index overhead). */
  tupleBytes: number;
  /** 1,000,000 products × 90 daily runs at the assumed change rate, and without compaction. */
  estimate: { products: number; runs: number; changeRate: number; rows: number; bytes: number; uncompactedBytes: number };
};

/** Assumed share of products whose price, THC/CBD or presence changes between two daily runs. */
const ASSUMED_CHANGE_RATE = 0.03;

/** Bytes per history entry measured on a sample in a copy of product_change (its indexes included). */
export async function measureHistorySpace(pool: pg.Pool, sampleRows: number): Promise<HistorySpace> {
  const held = await holdConnection(pool);
  const { client } = held;
  try {
    await client.query(`DROP TABLE IF EXISTS bench_product_change`);
    await client.query(`CREATE TABLE bench_product_change (LIKE product_change INCLUDING DEFAULTS INCLUDING INDEXES)`);
    // The mix of a history: one FIRST_SEEN per product, then mostly CHANGED with values, a few GONE (no values) and RETURNED.
    await client.query(
      `INSERT INTO bench_product_change (id, product_id, run_id, kind, seen_at, price, thc_percent, cbd_percent)
       SELECT i, 1 + (i * 7919) % 1000000, 1 + i / 1000,
              (CASE WHEN i % 10 < 3 THEN 'FIRST_SEEN' WHEN i % 10 < 9 THEN 'CHANGED' WHEN i % 20 = 9 THEN 'GONE' ELSE 'RETURNED' END)::"ProductChangeKind",
              now() - (i % 90) * interval '1 day',
              CASE WHEN i % 20 = 9 THEN NULL ELSE 5 + (i * 31) % 120 END,
              CASE WHEN i % 20 = 9 THEN NULL ELSE (i % 300) / 10.0 END,
              CASE WHEN i % 20 = 9 THEN NULL ELSE (i % 200) / 10.0 END
         FROM generate_series(1, $1) i`,
      [sampleRows],
    );
    await client.query(`VACUUM ANALYZE bench_product_change`);
    const { rows } = await client.query<{ total: string; tuple: number }>(
      `SELECT pg_total_relation_size('bench_product_change') AS total, (SELECT avg(pg_column_size(c.*)) FROM bench_product_change c)::float8 AS tuple`,
    );
    await client.query(`DROP TABLE bench_product_change`);
    const bytesPerRow = Number(rows[0]!.total) / sampleRows;
    const products = 1_000_000;
    const runs = 90;
    const estimateRows = products + products * (runs - 1) * ASSUMED_CHANGE_RATE;
    return {
      sampleRows,
      bytesPerRow,
      tupleBytes: rows[0]!.tuple,
      estimate: { products, runs, changeRate: ASSUMED_CHANGE_RATE, rows: estimateRows, bytes: estimateRows * bytesPerRow, uncompactedBytes: products * runs * bytesPerRow },
    };
  } finally {
    held.release();
  }
}
