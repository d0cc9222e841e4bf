/**
 * One definition of a price outlier, stated on the page: Data quality and the cleanup queue show the
 * same outlier products with the same expected range, and Data quality says in words what an outlier
 * is. Only at 1280 px: the item is about what the pages say, not about their layout (both pages
 * at 390 px are covered by the long-text and axe tests).
 * The shop and its prices: see seedOutlierShop.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRICE_OUTLIER_RULE } from '../../server/quality/sql/priceFences.ts';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { OUTLIER_SKUS, seedOutlierShop } from '../helpers/outlierShop.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const POLL = { timeout: 20_000 };

const { db, server } = useTestServer();
let browser: Browser;
let page: Page;

/** The two bounds of a range as the page writes them ("25.00 – 37.00" or "outside 25.00 .. 37.00"). */
function bounds(text: string): [string, string] {
  const found = text.match(/(\d[\d,]*\.\d{2})\s*(?:–|\.\.)\s*(\d[\d,]*\.\d{2})/);
  if (!found) throw new Error(`no range in "${text}"`);
  return [found[1]!, found[2]!];
}

/** Data quality's outlier rows: SKU and the expected range they show. */
const qualityRows = (p: Page) => p.locator('section[aria-labelledby="outliers"] tbody tr');
async function qualityOutliers(p: Page): Promise<Map<string, [string, string]>> {
  const rows = await qualityRows(p).all();
  const found = new Map<string, [string, string]>();
  for (const row of rows) {
    const sku = (await row.locator('td[data-label="Product"] .muted').innerText()).trim();
    found.set(sku, bounds(await row.locator('td[data-label="Expected range"]').innerText()));
  }
  return found;
}

/** The cleanup queue's flag rows (the held runs' table is above them): SKU and the range in their detail. */
const flagRows = (p: Page) => p.locator('tbody tr').filter({ has: p.locator('td[data-label="Detail"]') });
async function flaggedOutliers(p: Page): Promise<Map<string, [string, string]>> {
  const rows = await flagRows(p).all();
  const found = new Map<string, [string, string]>();
  for (const row of rows) {
    const sku = (await row.locator('td[data-label="Product"] .cell-line').innerText()).split('·').at(-1)!.trim();
    found.set(sku, bounds(await row.locator('td[data-label="Detail"]').innerText()));
  }
  return found;
}

beforeAll(async () => {
  await ensureAdminBuilt();
  // The flags it raised end the run WARNING (FLAGS_RAISED); its products are stored all the same.
  expect(['SUCCESS', 'WARNING']).toContain((await seedOutlierShop(db, server)).status);

  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => console.error('error in the admin page:', error));
  await signIn(page, `http://127.0.0.1:${server.port}`, TEST_ADMIN_TOKEN);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function openDataQuality() {
  await page.getByRole('link', { name: 'Data quality' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Data quality' }).waitFor();
  await expect.poll(() => qualityRows(page).count(), POLL).toBe(OUTLIER_SKUS.length);
}

describe('one outlier definition, stated on the page', () => {
  it('shows the same outlier products with the same expected range on Data quality and in the cleanup queue', async () => {
    await openDataQuality();
    const quality = await qualityOutliers(page);
    expect([...quality.keys()].sort()).toEqual(OUTLIER_SKUS);
    for (const sku of OUTLIER_SKUS) expect(quality.get(sku), sku).toEqual(['25.00', '37.00']);
    expect(await qualityRows(page).filter({ hasText: 't-6' }).locator('td[data-label="Expected range"]').innerText()).toBe('25.00 – 37.00');

    await page.getByRole('link', { name: 'Cleanup queue' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Cleanup queue' }).waitFor();
    await page.getByLabel('Kind').selectOption('PRICE_OUTLIER');
    await expect.poll(() => page.getByTestId('flags-count').innerText(), POLL).toBe(`1–${OUTLIER_SKUS.length} of ${OUTLIER_SKUS.length} flags`);
    await expect.poll(() => flagRows(page).count(), POLL).toBe(quality.size);
    for (const kind of await flagRows(page).locator('td[data-label="Kind"]').allInnerTexts()) expect(kind).toBe('Price outlier');

    const flagged = await flaggedOutliers(page);
    expect([...flagged.keys()].sort()).toEqual([...quality.keys()].sort());
    for (const [sku, range] of quality) expect(flagged.get(sku), sku).toEqual(range);
    expect(await flagRows(page).filter({ hasText: 't-6' }).locator('td[data-label="Detail"]').innerText()).toContain('outside 25.00 .. 37.00 for category flower');
  });

  it('says on Data quality what an outlier is, beside the outliers it lists', async () => {
    await openDataQuality();
    const rule = page.locator('section[aria-labelledby="outliers"]').getByTestId('outlier-rule');
    expect(await rule.isVisible()).toBe(true);
    const words = await rule.innerText();
    expect(words).toContain(PRICE_OUTLIER_RULE);
    expect(words).toMatch(/Q1 − 1\.5 × IQR to Q3 \+ 1\.5 × IQR/);
    expect(words).toMatch(/within its source/);
    expect(words).toMatch(/fewer than 4 prices have no range/);
    expect(words).toContain('The cleanup queue flags the same products.');
  });
});
