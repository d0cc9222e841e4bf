/**
 * The products export: the products a ProductFilter selects, in a product sort, with the fields of
 * the Product type; an export of published products has each one's published values, as the
 * products query does.
 */
import { productFilterSql } from '../products/productFilter.ts';
import { productOrderSql } from '../products/productSort.ts';
import { productValuesSql } from '../products/publishedValues.ts';
import type { ExportRequest } from './exportRequest.ts';
import type { ExportTable } from './exportTable.ts';
import { csvLine, ndjsonLine } from './formats.ts';

type ProductRow = {
  id: number;
  sku: string;
  name: string;
  brand: string | null;
  category: string | null;
  rawCategory: string | null;
  price: number | null;
  thcPercent: number | null;
  cbdPercent: number | null;
  url: string | null;
  sourceId: number;
  sourceName: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  goneAt: Date | null;
  published: boolean;
  flagged: boolean;
};

const COLUMNS = ['id', 'sku', 'name', 'brand', 'category', 'rawCategory', 'price', 'thcPercent', 'cbdPercent', 'url', 'source', 'firstSeenAt', 'lastSeenAt', 'goneAt', 'published', 'flagged'];

export function productsTable(request: Extract<ExportRequest, { kind: 'products' }>, today: string): ExportTable {
  const values: unknown[] = [];
  const where = productFilterSql(request.filter, values);
  const { alias: v, join } = productValuesSql(request.filter);
  const sql = `SELECT p.id, p.sku, ${v}.name, ${v}.brand, ${v}.category, p.raw_category AS "rawCategory", ${v}.price,
                      ${v}.thc_percent AS "thcPercent", ${v}.cbd_percent AS "cbdPercent", ${v}.url,
                      s.id AS "sourceId", s.name AS "sourceName",
                      p.first_seen_at AS "firstSeenAt", ${v}.scraped_at AS "lastSeenAt", p.gone_at AS "goneAt",
                      EXISTS (SELECT 1 FROM published_product pp WHERE pp.product_id = p.id) AS published,
                      EXISTS (SELECT 1 FROM flag f WHERE f.product_id = p.id AND f.status = 'PENDING') AS flagged
                 FROM product p JOIN source s ON s.id = p.source_id ${join}
                WHERE ${where}
                ORDER BY ${productOrderSql(request.sort, request.direction)}`;
  const csv = request.format === 'csv';
  return {
    sql,
    values,
    fetchRows: 1000,
    head: csv ? csvLine(COLUMNS) : '',
    fileStem: `scrapedeck-products-${today}`,
    line: (row) => {
      const p = row as ProductRow;
      if (csv) {
        return csvLine([
          p.id, p.sku, p.name, p.brand, p.category, p.rawCategory, p.price, p.thcPercent, p.cbdPercent, p.url,
          p.sourceName, p.firstSeenAt, p.lastSeenAt, p.goneAt, p.published, p.flagged,
        ]);
      }
      return ndjsonLine({
        id: String(p.id),
        sku: p.sku,
        name: p.name,
        brand: p.brand,
        category: p.category,
        rawCategory: p.rawCategory,
        price: p.price,
        thcPercent: p.thcPercent,
        cbdPercent: p.cbdPercent,
        url: p.url,
        source: { id: String(p.sourceId), name: p.sourceName },
        firstSeenAt: p.firstSeenAt,
        lastSeenAt: p.lastSeenAt,
        goneAt: p.goneAt,
        published: p.published,
        flagged: p.flagged,
      });
    },
  };
}
