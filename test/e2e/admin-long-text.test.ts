/**
 * Long text without spaces (an error holding a 300-character URL, a long scraper, product, runner and
 * channel name, a long log line) on every page at 1280 and 390 px: no page grows wider than the
 * viewport. Also what every page is called (document.title) and the order of its headings.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endRun, seedChannel } from '../helpers/incidents.ts';
import { seedIncident } from '../helpers/alerts.ts';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

/** 300 characters and not one place a browser may break a line at by default. */
const TOKEN = `https://shop.example.test/menu?session=${'a1B2c3D4e5'.repeat(30)}`.slice(0, 300);
const SCRAPER_NAME = `Green Leaf ${TOKEN}`;
const PRODUCT_NAME = `Blue Dream ${TOKEN}`;

const { db, server } = useTestServer();
let browser: Browser;
let baseUrl: string;
let slug: string;
let runId: number;
let productId: number;

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  const scraper = await seedScraper(db.pool, { slug: 'green-leaf-long', cron: '0 * * * *' });
  slug = scraper.slug;
  await db.pool.query(`UPDATE scraper SET name = $2 WHERE id = $1`, [scraper.scraperId, SCRAPER_NAME]);
  await db.pool.query(`UPDATE source SET name = $2, url = $3 WHERE id = $1`, [scraper.sourceId, `Source ${TOKEN}`, TOKEN]);
  const runner = await seedRunner(db.pool, `runner-${TOKEN}`);

  // A run that failed with the long token in its message, with a long log line and a runner of a long name.
  runId = await insertRun(db.pool, { scraperId: scraper.scraperId, status: 'ERROR', completedMinutesAgo: 1, durationSeconds: 3, runnerId: runner.runnerId });
  await db.pool.query(
    `UPDATE run SET error_type = 'HTTP_ERROR', error_message = $2, last_seq = 2, info_count = 1, error_count = 1 WHERE id = $1`,
    [runId, `GET ${TOKEN} answered 503`],
  );
  await db.pool.query(
    `INSERT INTO log_line (run_id, seq, level, message, timestamp) VALUES ($1, 1, 'INFO', 'fetching the menu', now()), ($1, 2, 'ERROR', $2, now())`,
    [runId, `GET ${TOKEN} answered 503`],
  );
  // A run that ended WARNING for a long reason.
  await endRun(db.pool, scraper.scraperId, 'WARNING', {
    warnings: [{ reason: 'VOLUME_DROP', message: `found 1 product at ${TOKEN}`, expected: 20, actual: 1, gate: null }],
  });

  // A product with a long name, category and address, in the cleanup queue for a long reason.
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO product (source_id, sku, name, brand, category, raw_category, price, url, scraped_at, run_id, last_scraper_id)
     VALUES ($1, $2, $3, $4, $5, $5, 42, $6, now(), $7, $8) RETURNING id`,
    [scraper.sourceId, `sku-${TOKEN}`, PRODUCT_NAME, `Brand ${TOKEN}`, `flower-${TOKEN.slice(0, 120)}`, TOKEN, runId, scraper.scraperId],
  );
  productId = rows[0]!.id;
  await db.pool.query(`INSERT INTO product_change (product_id, run_id, kind, price) VALUES ($1, $2, 'FIRST_SEEN', 42)`, [productId, runId]);
  await db.pool.query(`INSERT INTO flag (kind, product_id, run_id, detail) VALUES ('MISSING_FIELD', $1, $2, $3)`, [productId, runId, `missing thc at ${TOKEN}`]);

  // An open incident and a channel, both long.
  const incidentId = await seedIncident(db.pool, scraper.scraperId);
  await db.pool.query(`UPDATE incident SET title = $2, detail = $3 WHERE id = $1`, [incidentId, `${SCRAPER_NAME} failed`, `GET ${TOKEN} answered 503`]);
  const channelId = await seedChannel(db.pool, `channel-${TOKEN}`);
  await db.pool.query(`UPDATE alert_channel SET url = $2, disabled_reason = $3 WHERE id = $1`, [channelId, TOKEN, `${TOKEN} answered 410`]);

  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** Every page, what its title says, and the text that shows its data has loaded. */
const pages = () => [
  { path: '/', title: 'Overview · Scrapedeck' },
  { path: '/scrapers', title: 'Scrapers · Scrapedeck', shows: SCRAPER_NAME },
  { path: `/scrapers/${slug}`, title: `${SCRAPER_NAME} · Scrapers · Scrapedeck`, shows: SCRAPER_NAME },
  { path: `/scrapers/${slug}/edit`, title: `Edit scraper · ${SCRAPER_NAME} · Scrapedeck` },
  { path: '/scrapers/new', title: 'New scraper · Scrapedeck' },
  { path: '/runs', title: 'Runs · Scrapedeck', shows: SCRAPER_NAME },
  { path: `/runs/${runId}`, title: `Run #${runId} · ${SCRAPER_NAME} · Scrapedeck`, shows: `GET ${TOKEN} answered 503` },
  { path: '/products', title: 'Products · Scrapedeck', shows: PRODUCT_NAME },
  { path: `/products/${productId}`, title: `${PRODUCT_NAME} · Products · Scrapedeck`, shows: TOKEN },
  { path: '/quality', title: 'Data quality · Scrapedeck' },
  { path: '/cleanup', title: 'Cleanup queue · Scrapedeck', shows: `missing thc at ${TOKEN}` },
  { path: '/runners', title: 'Runners · Scrapedeck', shows: `runner-${TOKEN}` },
  { path: '/alerts', title: 'Alerts · Scrapedeck', shows: `channel-${TOKEN}` },
];

/** The innermost elements reaching past the right edge of the viewport (some may be clipped by a scroll box): what made a page too wide. */
const overflowing = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`),
  );

/** The page's headings in document order as their levels; axe's heading-order and page-has-heading-one read the same. */
const headingLevels = (page: Page) => page.evaluate(() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1])));

function expectHeadingsInOrder(levels: number[], where: string) {
  expect(levels[0], `${where}: the first heading`).toBe(1);
  expect(levels.filter((level) => level === 1).length, `${where}: one h1`).toBe(1);
  levels.forEach((level, i) => {
    if (i > 0) expect(level, `${where}: heading ${i + 1} after an h${levels[i - 1]}`).toBeLessThanOrEqual(levels[i - 1]! + 1);
  });
}

describe.each([1280, 390])('long text at %i px', (width) => {
  let page: Page;

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.title()).toBe('Sign in · Scrapedeck');
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('keeps every page within the viewport, names each page in its title, and orders its headings', async () => {
    for (const { path, title, shows } of pages()) {
      await page.goto(`${baseUrl}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      if (shows) await page.getByText(shows).locator('visible=true').first().waitFor();
      await expect.poll(() => page.locator('.state--loading').count(), { timeout: 20_000 }).toBe(0);
      await expect.poll(() => page.title(), { timeout: 20_000 }).toBe(title);
      const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      // What reaches past the edge, in the failure message: the element to fix.
      expect(fits ? [] : await overflowing(page), `${path} at ${width} px`).toEqual([]);
      expectHeadingsInOrder(await headingLevels(page), path);
    }
  }, 120_000);

  it('gives a run that does not exist a heading of its own and a title', async () => {
    await page.goto(`${baseUrl}/runs/999999`);
    await page.getByRole('alert').filter({ hasText: 'There is no run #999999.' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Run #999999');
    expect(await page.title()).toBe('Run #999999 · Scrapedeck');
    expectHeadingsInOrder(await headingLevels(page), '/runs/999999');
  });

  it('titles the scraper cards one level below the page', async () => {
    await page.goto(`${baseUrl}/scrapers`);
    await page.getByRole('heading', { level: 2, name: SCRAPER_NAME }).waitFor();
    expectHeadingsInOrder(await headingLevels(page), '/scrapers');
  });
});
