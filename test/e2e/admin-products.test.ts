/**
 * The Products page against products a real runner scraped from the demo sites, at 1280 and 390 px:
 * search (accent-insensitive on the server), filters, order, the total, the export of what the
 * filter selects (the downloaded file's content), and a product's page with its history.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { registerDemoScrapers, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const POLL = { timeout: 30_000 };
const CREATE_RUNNER = `mutation($name: String!) { createRunner(name: $name) { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`;
const TRIGGER = `mutation($id: ID!) { triggerRun(scraperId: $id) { __typename } }`;

const { db, server } = useTestServer();
let sites: FixtureSites;
let runner: TestRunner;
let browser: Browser;
let baseUrl: string;

/** True when nothing in the page is wider than the viewport (the page scrolls only down). */
const fitsViewport = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  sites = await startFixtureSites();
  const scrapers = await registerDemoScrapers(db.url, sites);
  const created = await server.admin.data(CREATE_RUNNER, { name: 'products-runner' });
  runner = await startRunner({ apiUrl: server.httpUrl, apiKey: created.createRunner.data.apiKey, name: 'products-runner' });
  // Green Leaf: 15 products over 3 HTML pages; Sunset: 10 over 2 JSON pages.
  for (const slug of ['green-leaf', 'sunset-api']) await server.admin.data(TRIGGER, { id: String(scrapers[slug]) });
  await waitUntil(
    async () => (await db.pool.query(`SELECT count(*)::int AS n FROM run WHERE status IN ('SUCCESS', 'WARNING')`)).rows[0].n === 2,
    'the two demo runs to end',
    60_000,
  ).catch(async (error) => {
    console.error((await db.pool.query(`SELECT id, status, error_message FROM run`)).rows);
    throw error;
  });
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await sites?.stop();
});

describe.each([1280, 390])('the products page at %i px', (width) => {
  let page: Page;
  const count = () => page.getByTestId('products-count').textContent();
  const names = () => page.locator('[data-testid="products-table"] tbody tr td[data-label="Product"] a').allTextContents();

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('lists every product with the total, and finds them by a search that ignores case and accents', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Products', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
    await expect.poll(count, POLL).toBe('1–25 of 25 products');
    expect(await fitsViewport(page)).toBe(true);

    await page.getByTestId('product-search').fill('DRÉAM');
    await expect.poll(count, POLL).toBe('1–1 of 1 product');
    expect(await names()).toEqual(['Blue Dream 3.5g']);
    // The search is in the address: the list can be linked to.
    expect(new URL(page.url()).searchParams.get('q')).toBe('DRÉAM');
    await page.getByTestId('product-search').fill('');
    await expect.poll(count, POLL).toBe('1–25 of 25 products');
  });

  it('filters by source and normalised category, and sorts by price', async () => {
    await page.getByLabel('Source').selectOption({ label: 'Sunset Cannabis Co' });
    await expect.poll(count, POLL).toBe('1–10 of 10 products');
    // Sunset calls them "tincture": the category is normalised on both sides.
    await page.getByLabel('Category').fill('Tincture');
    await expect.poll(count, POLL).toBe('1–3 of 3 products');
    await page.getByLabel('Sort by').selectOption('PRICE');
    await page.getByLabel('Order').selectOption('DESC');
    await expect.poll(names, POLL).toEqual(['Sleep Tincture 30ml', 'Balance Tincture 30ml', 'CBD Tincture 30ml']);
    expect(await fitsViewport(page)).toBe(true);
  });

  it('exports what the filter selects, in its order, as CSV and as NDJSON', async () => {
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(/^scrapedeck-products-.*\.csv$/);
    const rows = (await readFile((await csv.path())!, 'utf8')).trimEnd().split(/\r?\n/);
    expect(rows.length).toBe(4);
    expect(rows[0]).toContain('name');
    expect(rows.slice(1).map((row) => row.match(/(Sleep|Balance|CBD) Tincture 30ml/)?.[0])).toEqual(['Sleep Tincture 30ml', 'Balance Tincture 30ml', 'CBD Tincture 30ml']);

    const [ndjson] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export NDJSON' }).click()]);
    const objects = (await readFile((await ndjson.path())!, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(objects.map((o) => [o.name, o.category, o.price])).toEqual([
      ['Sleep Tincture 30ml', 'tinctures', 45],
      ['Balance Tincture 30ml', 'tinctures', 42],
      ['CBD Tincture 30ml', 'tinctures', 40],
    ]);
    await page.getByRole('status').filter({ hasText: 'Export NDJSON: download started.' }).waitFor({ state: 'attached' });
  });

  it('opens a product with what its run saw', async () => {
    await page.getByRole('link', { name: 'Balance Tincture 30ml' }).click();
    await page.getByRole('heading', { level: 1, name: 'Balance Tincture 30ml' }).waitFor();
    const history = page.getByTestId('product-history');
    await history.locator('tr[data-kind="FIRST_SEEN"]').waitFor();
    expect(await history.locator('tbody tr').count()).toBe(1);
    expect(await history.locator('td[data-label="Price"]').textContent()).toBe('42.00');
    expect(await page.getByText('scraped as “tincture”').count()).toBe(1);
    expect(await fitsViewport(page)).toBe(true);
  });
});
