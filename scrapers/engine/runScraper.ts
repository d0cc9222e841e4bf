/**
 * Executes one scraper definition: walks its listing pages (following pagination) or fetches each
 * of its SKUs, extracts products, and tells the caller what happened through `log` and `onProducts`.
 */
import type { ScraperDefinition } from '../../contract/definitionSchema.ts';
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH, MAX_PRICE, MAX_SKU_LENGTH, MAX_URL_LENGTH } from '../../contract/limits.ts';
import type { LogLevelName } from '../../contract/logLevels.ts';
import type { Product } from '../../contract/product.ts';
import { extractPage, ParseError, type ProductRecord } from './extract.ts';
import { FetchError, fetchPage } from './fetchPage.ts';
import { pacerFor } from './sourcePacer.ts';

export type ScrapeHooks = {
  log(level: LogLevelName, message: string): void;
  /** Products ready to store, in batches (per listing page, or every few dozen SKUs). */
  onProducts(products: Product[]): void;
  signal: AbortSignal;
};

export type ScrapeSummary = {
  skus: number;
  found: number;
  noData: number;
  failed: number;
  firstFailure: string | null;
  /**
   * Every page of the listing (or every SKU) was fetched and read: none failed, none was left
   * unread by maxPages, and the run was not stopped. Only then may the server take a product the
   * run did not see as gone.
   */
  listingComplete: boolean;
};

/** The scraper could not start at all: its first page could not be fetched or read. */
export class ScraperInitError extends Error {
  readonly type: string;

  constructor(
    type: string,
    message: string,
  ) {
    super(message);
    this.type = type;
    this.name = 'ScraperInitError';
  }
}

const SKU_BATCH = 50;

const errorType = (error: unknown) =>
  error instanceof FetchError ? error.type : error instanceof ParseError ? 'PARSE_ERROR' : (error as Error).name || 'Error';

export async function runScraper(definition: ScraperDefinition, hooks: ScrapeHooks): Promise<ScrapeSummary> {
  const summary: ScrapeSummary = { skus: 0, found: 0, noData: 0, failed: 0, firstFailure: null, listingComplete: false };
  const pacer = pacerFor(definition.source.url, definition.rateLimit.concurrency, definition.rateLimit.delayMs);
  const fetchOptions = {
    timeoutMs: definition.timeoutMs,
    retries: definition.retries,
    pacer,
    signal: hooks.signal,
    onRetry: (error: FetchError, attempt: number) => hooks.log('WARNING', `Retrying (${attempt}/${definition.retries}) after ${error.type}: ${error.message}`),
  };
  const fail = (what: string, error: unknown) => {
    summary.failed++;
    const message = `${errorType(error)}: ${(error as Error).message}`;
    summary.firstFailure ??= `${what}: ${message}`;
    hooks.log('ERROR', `${what}: workflow failed`);
    hooks.log('ERROR', `${what}: error type ${errorType(error)}, message: ${(error as Error).message}`);
  };
  /** Judges one extracted record: found data, or no data; returns the product to store. */
  const judge = (record: ProductRecord, where: string): Product | null => {
    summary.skus++;
    if (!record.sku) {
      summary.noData++;
      hooks.log('WARNING', `An item on ${where} has no SKU: no data`);
      return null;
    }
    if (!record.name) {
      summary.noData++;
      hooks.log('WARNING', `SKU ${record.sku}: no data (no product name)`);
      return null;
    }
    const product = sanitize(record as ProductRecord & { sku: string; name: string }, hooks);
    summary.found++;
    const price = product.price === null ? 'no price' : `price ${product.price}`;
    hooks.log('INFO', `SKU ${product.sku}: found data (${product.name}, ${price})`);
    return product;
  };

  if (definition.urls) {
    let cutOff = false;
    for (const [index, startUrl] of definition.urls.entries()) {
      let url: string | null = startUrl;
      const seen = new Set<string>();
      for (let page = 1; url && page <= (definition.pagination?.maxPages ?? 1) && !hooks.signal.aborted; page++) {
        if (seen.has(url)) break; // a pager that links back would loop forever
        seen.add(url);
        let extracted;
        try {
          const fetched = await fetchPage(url, fetchOptions);
          extracted = extractPage(definition, fetched.body, fetched.url);
        } catch (error) {
          if (hooks.signal.aborted) break;
          // Nothing read yet: the scraper cannot start, which is another failure than a broken page 7.
          if (index === 0 && page === 1) throw new ScraperInitError(errorType(error), `${url}: ${(error as Error).message}`);
          fail(`Page ${page} of ${startUrl}`, error);
          break;
        }
        hooks.log('INFO', `Page ${page} of ${startUrl}: ${extracted.items.length} items`);
        const products = extracted.items.map((r) => judge(r, `page ${page}`)).filter((p): p is Product => p !== null);
        if (products.length > 0) hooks.onProducts(products);
        url = extracted.next;
      }
      // A next page left unread because of maxPages (a pager that links back to a page read is no cut).
      if (url && !seen.has(url)) cutOff = true;
    }
    summary.listingComplete = summary.failed === 0 && !cutOff && !hooks.signal.aborted;
    return summary;
  }

  const skus = definition.skus!.list;
  let next = 0;
  let pending: Product[] = [];
  const flush = () => {
    if (pending.length > 0) hooks.onProducts(pending);
    pending = [];
  };
  const worker = async () => {
    while (next < skus.length && !hooks.signal.aborted) {
      const sku = skus[next++]!;
      const url = definition.skus!.url.replaceAll('{sku}', encodeURIComponent(sku));
      try {
        const fetched = await fetchPage(url, fetchOptions);
        const record = extractPage(definition, fetched.body, fetched.url).items[0];
        if (!record) {
          summary.skus++;
          summary.noData++;
          hooks.log('WARNING', `SKU ${sku}: no data`);
          continue;
        }
        const product = judge({ ...record, sku: record.sku ?? sku }, url);
        if (product) pending.push(product);
        if (pending.length >= SKU_BATCH) flush();
      } catch (error) {
        if (hooks.signal.aborted) break;
        if (error instanceof FetchError && error.type === 'NOT_FOUND') {
          summary.skus++;
          summary.noData++;
          hooks.log('WARNING', `SKU ${sku}: no data (the source does not know it)`);
          continue;
        }
        summary.skus++;
        fail(`SKU ${sku}`, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(definition.rateLimit.concurrency, skus.length) }, worker));
  flush();
  summary.listingComplete = summary.failed === 0 && !hooks.signal.aborted;
  return summary;
}

const clip = (s: string | null, max: number) => (s === null ? null : s.slice(0, max));

/** Keeps values the API accepts: a percentage outside 0..100 or a negative price is reported missing. */
function sanitize(record: ProductRecord & { sku: string; name: string }, hooks: ScrapeHooks): Product {
  const percent = (value: number | null, field: string) => {
    if (value === null || (value >= 0 && value <= 100)) return value;
    hooks.log('WARNING', `SKU ${record.sku}: ${field} ${value} is not a percentage; reported as missing`);
    return null;
  };
  const price = record.price !== null && (record.price < 0 || record.price > MAX_PRICE) ? null : record.price;
  if (price !== record.price) hooks.log('WARNING', `SKU ${record.sku}: price ${record.price} is not a price; reported as missing`);
  return {
    sku: record.sku.slice(0, MAX_SKU_LENGTH),
    name: record.name.slice(0, MAX_NAME_LENGTH),
    brand: clip(record.brand, MAX_LABEL_LENGTH),
    category: clip(record.category, MAX_LABEL_LENGTH),
    price,
    thcPercent: percent(record.thcPercent, 'thcPercent'),
    cbdPercent: percent(record.cbdPercent, 'cbdPercent'),
    url: clip(record.url, MAX_URL_LENGTH),
  };
}
