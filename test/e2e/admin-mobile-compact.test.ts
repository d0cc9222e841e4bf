/**
 * The compact phone layout at 390 px with the demo's four scrapers and their runs: each scraper card
 * shows its state, last run and Run now, with the rest behind a "Details" disclosure a keyboard opens;
 * the Scrapers page is a fraction of its old height; a run is at most three lines. At 1280 px the
 * cards show everything, with no disclosure.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { registerDemoScrapers, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { endRun } from '../helpers/incidents.ts';
import { insertRun } from '../helpers/runs.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

/**
 * The Scrapers page at 390 px with these four scrapers and their 16 runs was 4,911 px tall when every
 * card showed all its facts and sparklines and every run was a 12-line card; it is now about 2,050.
 */
const SCRAPERS_HEIGHT_LIMIT = 2_500;

const { db, server } = useTestServer();
let sites: FixtureSites;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  sites = await startFixtureSites();
  const scrapers = await registerDemoScrapers(db.url, sites);
  expect(Object.keys(scrapers)).toHaveLength(4);
  for (const scraperId of Object.values(scrapers)) {
    for (let i = 0; i < 3; i++) {
      await insertRun(db.pool, { scraperId, status: 'SUCCESS', queuedMinutesAgo: 60 * (i + 2), completedMinutesAgo: 60 * (i + 2) - 1, durationSeconds: 30 });
    }
    await endRun(db.pool, scraperId, 'WARNING', { warnings: [{ reason: 'VOLUME_DROP', message: 'found 3 products', expected: 20, actual: 3, gate: null }] });
  }
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sites?.stop();
});

async function openPage(width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => console.error('error in the admin page:', error));
  await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  return page;
}

async function openScrapers(page: Page) {
  await page.getByRole('link', { name: 'Scrapers', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Scrapers' }).waitFor();
  await expect.poll(() => page.locator('article.scraper-card [data-testid="last-run"] [data-status]').count(), { timeout: 20_000 }).toBe(4);
}

describe('at 390 px', () => {
  let page: Page;

  beforeAll(async () => {
    page = await openPage(390);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('keeps the Scrapers page short: state, last run and Run now on each card, the rest behind Details', async () => {
    await openScrapers(page);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    console.log(`Scrapers page at 390 px: ${height} px tall`);
    expect(height).toBeLessThan(SCRAPERS_HEIGHT_LIMIT);
    const card = page.locator('article.scraper-card').first();
    for (const testId of ['health-state', 'last-run']) expect(await card.getByTestId(testId).isVisible()).toBe(true);
    expect(await card.getByRole('button', { name: 'Run now' }).isVisible()).toBe(true);
    expect(await card.getByTestId('ended-runs').isVisible()).toBe(false);
    expect(await card.getByTestId('sparkline-success').isVisible()).toBe(false);
  });

  it('opens a card’s details from the keyboard', async () => {
    const card = page.locator('article.scraper-card').first();
    const summary = card.locator('summary', { hasText: 'Details' });
    await summary.focus();
    await page.keyboard.press('Enter');
    await card.getByTestId('ended-runs').waitFor();
    expect(await card.getByTestId('ended-runs').textContent()).toBe('3 success · 1 warning · 0 error');
    expect(await card.getByTestId('card-details').getAttribute('open')).not.toBeNull();
    await card.getByTestId('sparkline-success').waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => card.getByTestId('ended-runs').isVisible()).toBe(false);
  });

  it('shows each run in at most three lines', async () => {
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
    const rows = page.locator('[data-testid="runs-table"] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(16);
    const lineHeight = await rows.first().evaluate((row) => parseFloat(getComputedStyle(row.querySelector('td')!).lineHeight));
    const heights = await rows.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height));
    console.log(`a run row at 390 px: ${Math.max(...heights)} px tall (line height ${lineHeight} px)`);
    // Three lines of text plus the row's padding and the status badge's.
    for (const height of heights) expect(height).toBeLessThanOrEqual(3 * lineHeight + 24);
    // The row still says what it is: run, scraper, status and when, the counts on its last line.
    const first = rows.first();
    for (const label of ['Run', 'Scraper', 'Status', 'Queued', 'Errors']) expect(await first.locator(`td[data-label="${label}"]`).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });
});

describe('at 1280 px', () => {
  it('shows every card’s figures without a disclosure', async () => {
    const page = await openPage(1280);
    try {
      await openScrapers(page);
      const card = page.locator('article.scraper-card').first();
      expect(await card.locator('summary').count()).toBe(0);
      expect(await card.getByTestId('ended-runs').isVisible()).toBe(true);
      expect(await card.getByTestId('sparkline-success').isVisible()).toBe(true);
    } finally {
      await page.close();
    }
  });
});
