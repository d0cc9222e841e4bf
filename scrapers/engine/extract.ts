/**
 * Turns one fetched page into product records and the next page's URL, following the definition:
 * CSS selectors over HTML (cheerio), dotted paths over JSON.
 */
import * as cheerio from 'cheerio';
import type { AnyNode } from 'domhandler';
import type { FieldSpec, ScraperDefinition } from '../../contract/definitionSchema.ts';
import { PRODUCT_FIELDS, type Product } from '../../contract/product.ts';

/** What a page yields before the checks: an item may lack its sku or name. */
export type ProductRecord = Omit<Product, 'sku' | 'name'> & { sku: string | null; name: string | null };

export type ExtractedPage = { items: ProductRecord[]; next: string | null };

export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}

const NUMERIC = new Set(['price', 'thcPercent', 'cbdPercent']);

/** The first number in a text such as "$35.00" or "THC 22.5%"; null when there is none. */
function readNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const match = value.replace(/,(?=\d{3}\b)/g, '').match(/-?\d+(?:[.,]\d+)?/);
  return match ? Number.parseFloat(match[0].replace(',', '.')) : null;
}

function readText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '').replace(/\s+/g, ' ').trim();
  return text === '' ? null : text;
}

function toRecord(read: (spec: FieldSpec) => unknown, definition: ScraperDefinition, pageUrl: string): ProductRecord {
  const record = {} as Record<string, string | number | null>;
  for (const field of PRODUCT_FIELDS) {
    const spec = definition.fields[field];
    const raw = spec === undefined ? null : read(spec);
    record[field] = NUMERIC.has(field) ? readNumber(raw) : readText(raw);
  }
  if (record.url) record.url = absolute(record.url as string, pageUrl);
  return record as ProductRecord;
}

function absolute(href: string, base: string): string | null {
  try {
    return new URL(href, base).toString();
  } catch {
    return null;
  }
}

function jsonPath(value: unknown, path: string): unknown {
  if (path === '' || path === '.') return value;
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function extractPage(definition: ScraperDefinition, body: string, pageUrl: string): ExtractedPage {
  return definition.format === 'html' ? extractHtml(definition, body, pageUrl) : extractJson(definition, body, pageUrl);
}

function extractHtml(definition: ScraperDefinition, body: string, pageUrl: string): ExtractedPage {
  const $ = cheerio.load(body);
  const readFrom = (root: cheerio.Cheerio<AnyNode>) => (spec: FieldSpec) => {
    const { selector, attr } = typeof spec === 'string' ? { selector: spec, attr: undefined } : spec;
    const node = selector ? root.find(selector).first() : root;
    if (node.length === 0) return null;
    return attr ? node.attr(attr) ?? null : node.text();
  };
  const items = $(definition.items)
    .toArray()
    .map((el) => toRecord(readFrom($(el)), definition, pageUrl));
  const nextSpec = definition.pagination?.next;
  const nextHref = nextSpec ? readText(readFrom($.root())(nextSpec)) : null;
  return { items, next: nextHref ? absolute(nextHref, pageUrl) : null };
}

function extractJson(definition: ScraperDefinition, body: string, pageUrl: string): ExtractedPage {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new ParseError(`the answer from ${pageUrl} is not JSON: ${(error as Error).message}`);
  }
  const found = jsonPath(document, definition.items);
  const list = Array.isArray(found) ? found : found === undefined || found === null ? [] : [found];
  const read = (item: unknown) => (spec: FieldSpec) => jsonPath(item, typeof spec === 'string' ? spec : spec.path ?? spec.selector ?? '');
  const items = list.map((item) => toRecord(read(item), definition, pageUrl));
  const nextSpec = definition.pagination?.next;
  const nextHref = nextSpec ? readText(read(document)(nextSpec)) : null;
  return { items, next: nextHref ? absolute(nextHref, pageUrl) : null };
}
