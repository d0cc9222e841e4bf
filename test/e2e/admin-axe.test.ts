/**
 * axe-core on every page of the admin, at 1280 and 390 px, signed in as an admin with data on every
 * page: no violation of any impact, apart from the rules listed below, each with its reason.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedIncident } from '../helpers/alerts.ts';
import { axeViolations } from '../helpers/axe.ts';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { endRun, seedChannel } from '../helpers/incidents.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

/** The rules not checked, and why: the one place a rule is let off. */
const NOT_CHECKED: Record<string, string> = {};

const { db, server } = useTestServer();
let browser: Browser;
let baseUrl: string;
let slug: string;
let runId: number;
let productId: number;

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  const scraper = await seedScraper(db.pool, { slug: 'green-leaf-axe', cron: '0 * * * *' });
  slug = scraper.slug;
  const runner = await seedRunner(db.pool, 'axe-runner');
  runId = await insertRun(db.pool, { scraperId: scraper.scraperId, status: 'ERROR', queuedMinutesAgo: 3, completedMinutesAgo: 2, durationSeconds: 3, runnerId: runner.runnerId });
  await db.pool.query(`UPDATE run SET error_type = 'HTTP_ERROR', error_message = 'GET /menu answered 503', last_seq = 2, info_count = 1, error_count = 1 WHERE id = $1`, [runId]);
  await db.pool.query(
    `INSERT INTO log_line (run_id, seq, level, message, timestamp) VALUES ($1, 1, 'INFO', 'fetching the menu', now()), ($1, 2, 'ERROR', 'GET /menu answered 503', now())`,
    [runId],
  );
  await endRun(db.pool, scraper.scraperId, 'WARNING', { warnings: [{ reason: 'VOLUME_DROP', message: 'found 1 product', expected: 20, actual: 1, gate: null }] });
  await insertRun(db.pool, { scraperId: scraper.scraperId, status: 'SUCCESS', queuedMinutesAgo: 60, completedMinutesAgo: 59, durationSeconds: 40, runnerId: runner.runnerId });
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO product (source_id, sku, name, brand, category, raw_category, price, url, scraped_at, run_id, last_scraper_id)
     VALUES ($1, 'sku-1', 'Blue Dream', 'Acme', 'flower', 'Flower', 42, 'https://shop.example.test/blue-dream', now(), $2, $3) RETURNING id`,
    [scraper.sourceId, runId, scraper.scraperId],
  );
  productId = rows[0]!.id;
  await db.pool.query(`INSERT INTO product_change (product_id, run_id, kind, price) VALUES ($1, $2, 'FIRST_SEEN', 42)`, [productId, runId]);
  await db.pool.query(`INSERT INTO flag (kind, product_id, run_id, detail) VALUES ('MISSING_FIELD', $1, $2, 'missing thc')`, [productId, runId]);
  await seedIncident(db.pool, scraper.scraperId);
  await seedChannel(db.pool, 'ops-webhook');
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const pages = () => [
  '/',
  '/scrapers',
  `/scrapers/${slug}`,
  `/scrapers/${slug}/edit`,
  '/scrapers/new',
  '/runs',
  `/runs/${runId}`,
  '/runs/999999',
  '/products',
  `/products/${productId}`,
  '/quality',
  '/cleanup',
  '/runners',
  '/alerts',
];

describe.each([1280, 390])('axe at %i px', (width) => {
  let page: Page;

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
  });

  afterAll(async () => {
    await page?.close();
  });

  /** Waits for the page's heading and data, then lets axe look. */
  async function violationsAt(path: string) {
    await page.goto(`${baseUrl}${path}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await expect.poll(() => page.locator('.state--loading').count(), { timeout: 20_000 }).toBe(0);
    return axeViolations(page, Object.keys(NOT_CHECKED));
  }

  it('finds nothing on the sign-in page', async () => {
    expect(await violationsAt('/sign-in')).toEqual([]);
  });

  it('finds nothing on any page of the signed-in admin', async () => {
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
    const found: Record<string, unknown> = {};
    for (const path of pages()) {
      const violations = await violationsAt(path);
      if (violations.length > 0) found[path] = violations;
    }
    expect(found).toEqual({});
  }, 180_000);
});
