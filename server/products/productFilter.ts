/**
 * The one definition of which products a filter selects, as SQL over `product p`: the products
 * query, its totalCount and the products export all read it, so that a filter means the same in each.
 */
import { categoryNormaliser } from './categories.ts';

export interface ProductFilter {
  sourceId?: number | null;
  /** Products last seen by this scraper's runs. */
  scraperId?: number | null;
  /** Normalised before comparison, so that "Edible" finds "edibles". */
  category?: string | null;
  /** true: with a PENDING flag; false: without one. */
  flagged?: boolean | null;
  /** true: its values as of a published run exist, and a read returns those (publishedValues.ts); false: not (yet) published. */
  published?: boolean | null;
  /** true: a complete run no longer listed it; false: still listed. */
  gone?: boolean | null;
  /** Matches name, brand and SKU anywhere, case- and accent-insensitively. */
  search?: string | null;
}

const normaliseCategory = categoryNormaliser();

/**
 * LIKE's own characters in a search are meant literally. They are escaped after folding, in SQL:
 * unaccent maps full-width ％ ＿ ＼ to % _ \, which escaping the search as given would let through as wildcards.
 */
const foldedLiteral = (param: string) => `regexp_replace(scrapedeck_fold(${param}), '([\\\\%_])', '\\\\\\1', 'g')`;

/**
 * The WHERE condition for a filter over the alias `p`; appends its values to `values` and refers to
 * them by position, so that it composes with the caller's own parameters. "true" when nothing filters.
 */
export function productFilterSql(filter: ProductFilter | null | undefined, values: unknown[]): string {
  const conditions: string[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter?.sourceId != null) conditions.push(`p.source_id = ${param(filter.sourceId)}`);
  if (filter?.scraperId != null) conditions.push(`p.last_scraper_id = ${param(filter.scraperId)}`);
  if (filter?.category != null) {
    const category = normaliseCategory(filter.category);
    conditions.push(category === null ? 'p.category IS NULL' : `p.category = ${param(category)}`);
  }
  if (filter?.flagged != null) {
    conditions.push(`${filter.flagged ? '' : 'NOT '}EXISTS (SELECT 1 FROM flag f WHERE f.product_id = p.id AND f.status = 'PENDING')`);
  }
  if (filter?.published != null) {
    conditions.push(`${filter.published ? '' : 'NOT '}EXISTS (SELECT 1 FROM published_product pp WHERE pp.product_id = p.id)`);
  }
  if (filter?.gone != null) conditions.push(filter.gone ? 'p.gone_at IS NOT NULL' : 'p.gone_at IS NULL');
  const search = filter?.search?.trim();
  if (search) conditions.push(`p.search_text LIKE '%' || ${foldedLiteral(param(search))} || '%'`);
  return conditions.length ? conditions.join(' AND ') : 'true';
}
