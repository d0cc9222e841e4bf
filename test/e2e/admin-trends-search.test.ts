/**
 * Trends and log search in the admin, at 1280 and 390 px: a scraper's page with its charts drawn
 * (canvas of real size), their text alternative showing the numbers of a known day, its schedule
 * and its runs live; the sparklines on its card; and a log search whose result opens the run with
 * that line, far down a long log, scrolled into view and highlighted. History is seeded as runs
 * ended on earlier days, counted into the rollups by the same function the server uses when a run ends.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRunsToScraperDays } from '../../server/trends/sql/addRunsToScraperDays.ts';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { contrastProblems } from '../helpers/contrast.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const POLL = { timeout: 20_000 };
const ZONE = 'America/New_York';
const LONG_LOG = 3_000;
const TARGET_SEQ = 2_000;
const TRIGGER = `mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`;
const CANCEL = `mutation($id: ID!) { cancelRun(jobId: $id) { __typename } }`;

const { db, server } = useTestServer();
let browser: Browser;
let baseUrl: string;
let scraperId: number;
let longRunId: number;
/** The day (in the scraper's zone) three days ago: 2 SUCCESS and 1 ERROR runs, 30 products, 4 warning lines. */
let knownDay: string;
/** Runs the live test queued and cancelled today: they end today, so the trends count them too. */
let cancelledToday = 0;

/** True when nothing in the page is wider than the viewport (the page scrolls only down). */
const fitsViewport = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** Ends a run `daysAgo` days back with these figures. */
async function endedRun(status: 'SUCCESS' | 'WARNING' | 'ERROR', daysAgo: number, figures: { products: number; warnings?: number; errors?: number; seconds: number }) {
  const id = await insertRun(db.pool, { scraperId, status, queuedMinutesAgo: daysAgo * 1440 + 5, completedMinutesAgo: daysAgo * 1440, durationSeconds: figures.seconds });
  await db.pool.query(`UPDATE run SET products_found = $2, warning_count = $3, error_count = $4 WHERE id = $1`, [id, figures.products, figures.warnings ?? 0, figures.errors ?? 0]);
  return id;
}

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  ({ scraperId } = await seedScraper(db.pool, { slug: 'trend-shop', cron: '0 6 * * *' }));
  await db.pool.query(`UPDATE scraper SET name = 'Trend Shop', timezone = $2 WHERE id = $1`, [scraperId, ZONE]);
  // An older run of another scraper logged the same words (run ids order search results: newest first).
  const other = await seedScraper(db.pool, { slug: 'other-shop' });
  const otherRun = await insertRun(db.pool, { scraperId: other.scraperId, status: 'ERROR', queuedMinutesAgo: 3000, completedMinutesAgo: 2990, durationSeconds: 5 });
  await db.pool.query(`INSERT INTO log_line (run_id, seq, level, message, timestamp) VALUES ($1, 1, 'ERROR', 'login refused: 403 FORBIDDEN', now() - interval '2 days')`, [otherRun]);
  await db.pool.query(`UPDATE run SET last_seq = 1, error_count = 1 WHERE id = $1`, [otherRun]);
  const ids = [
    await endedRun('SUCCESS', 5, { products: 15, seconds: 40 }),
    await endedRun('WARNING', 4, { products: 9, warnings: 2, seconds: 55 }),
    await endedRun('SUCCESS', 3, { products: 15, warnings: 1, seconds: 30 }),
    await endedRun('SUCCESS', 3, { products: 15, warnings: 3, seconds: 50 }),
    await endedRun('ERROR', 3, { products: 0, errors: 1, seconds: 10 }),
    await endedRun('SUCCESS', 1, { products: 14, seconds: 35 }),
  ];
  longRunId = ids.at(-1)!;
  const client = await db.pool.connect();
  try {
    await addRunsToScraperDays(client, ids);
  } finally {
    client.release();
  }
  knownDay = (await db.pool.query(`SELECT ((now() - interval '3 days') AT TIME ZONE $1)::date::text AS day`, [ZONE])).rows[0].day;

  // The newest run's long log: line 2000 of 3000 is the one a search finds; an older run of another scraper has one too.
  await db.pool.query(
    `INSERT INTO log_line (run_id, seq, level, message, timestamp)
     SELECT $1, g, 'INFO', 'fetched catalogue page ' || g, now() - interval '1 day' + g * interval '10 milliseconds' FROM generate_series(1, $2::int) g`,
    [longRunId, LONG_LOG],
  );
  await db.pool.query(`UPDATE log_line SET level = 'ERROR', message = 'GET /catalogue?page=7 answered 403 Forbidden <b>twice</b>' WHERE run_id = $1 AND seq = $2`, [longRunId, TARGET_SEQ]);
  await db.pool.query(`UPDATE run SET last_seq = $2, info_count = $2 - 1, error_count = 1 WHERE id = $1`, [longRunId, LONG_LOG]);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe.each([1280, 390])('at %i px', (width) => {
  let page: Page;

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width, height: 900 }, locale: 'en-US' });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('shows 7-day sparklines with a text alternative on the scraper card, which links to the scraper page', async () => {
    await page.getByRole('link', { name: 'Scrapers', exact: true }).click();
    const card = page.locator('[data-scraper="trend-shop"]');
    // Narrow screens keep the sparklines behind the card's "Details".
    if (width < 640) await card.locator('summary', { hasText: 'Details' }).click();
    const success = card.getByTestId('sparkline-success');
    await success.locator('canvas').waitFor();
    expect(await success.getAttribute('aria-label')).toMatch(/^Success rate over 7 days: 100% on .*lowest 0% .* Days in America\/New_York\.$/);
    expect(await card.getByTestId('sparkline-products').getAttribute('aria-label')).toMatch(/^Products found over 7 days: 0 on .*highest 30 \(/);
    expect(await fitsViewport(page)).toBe(true);
    await card.getByRole('link', { name: 'Trend Shop' }).click();
    await page.getByRole('heading', { level: 1, name: 'Trend Shop' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/scrapers/trend-shop');
  });

  it('draws every trend chart at the width of the page, each saying which zone its days are in', async () => {
    await page.getByRole('button', { name: '7 days' }).click();
    const charts = page.locator('figure.chart');
    await expect.poll(() => charts.count(), POLL).toBe(4);
    for (const chart of await charts.all()) {
      const box = await chart.locator('canvas').boundingBox();
      expect(box!.width).toBeGreaterThan(width === 390 ? 250 : 400);
      expect(box!.height).toBeGreaterThan(100);
      expect(await chart.getByText(`Days in ${ZONE}`).count()).toBe(1);
    }
    expect(await page.getByTestId('trend-total').textContent()).toBe(`${6 + cancelledToday} runs ended in these 7 days (days in ${ZONE}).`);
    expect(await page.getByTestId('next-fire-times').locator('li').count()).toBe(3);
    expect(await fitsViewport(page)).toBe(true);
    expect(await contrastProblems(page)).toEqual([]);
  });

  it('shows the numbers of a known day in the text alternative, for 7 and 90 days', async () => {
    const success = page.getByTestId('chart-success');
    expect(await success.locator('.chart__summary').textContent()).toMatch(/^Success rate: 100% on .*; lowest 0% \(/);
    await success.getByRole('button', { name: 'Show data' }).click();
    expect(await success.getByRole('button', { name: 'Hide data' }).getAttribute('aria-expanded')).toBe('true');
    expect(await success.locator(`tr[data-day="${knownDay}"] td`).allTextContents()).toEqual(['66.7%']);
    expect(await success.locator('tbody tr').count()).toBe(7);

    await page.getByRole('button', { name: '90 days' }).click();
    const products = page.getByTestId('chart-products');
    await products.getByRole('button', { name: 'Show data' }).click();
    await expect.poll(() => products.locator('tbody tr').count(), POLL).toBe(90);
    expect(await products.locator(`tr[data-day="${knownDay}"] td`).allTextContents()).toEqual(['30']);
    const lines = page.getByTestId('chart-lines');
    await lines.getByRole('button', { name: 'Show data' }).click();
    expect(await lines.locator(`tr[data-day="${knownDay}"] td`).allTextContents()).toEqual(['4', '1']);
    expect(await fitsViewport(page)).toBe(true);
  });

  it('lists its recent runs live', async () => {
    const rows = page.getByTestId('runs-table').locator('tbody tr');
    const before = await rows.count();
    const runId = (await server.admin.data(TRIGGER, { id: String(scraperId) })).triggerRun.data.id;
    const row = page.locator(`[data-testid="runs-table"] tr[data-run-id="${runId}"]`);
    await expect.poll(() => row.locator('[data-status]').textContent(), POLL).toBe('QUEUED');
    expect(await rows.count()).toBe(before + 1);
    await server.admin.data(CANCEL, { id: runId });
    await expect.poll(() => row.locator('[data-status]').textContent(), POLL).toBe('CANCELLED');
    cancelledToday += 1;
  });

  it('searches the logs of every run and lands on the highlighted line of the result', async () => {
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    const query = page.getByTestId('log-search-query');
    await query.fill('4');
    await page.getByRole('button', { name: 'Search logs' }).click();
    await expect.poll(() => page.getByTestId('log-search-problem').textContent(), POLL).toMatch(/\S/);

    await query.fill('403 forbidden');
    await page.getByRole('button', { name: 'Search logs' }).click();
    const results = page.getByTestId('log-search-results').locator('li');
    await expect.poll(() => results.count(), POLL).toBe(2);
    // Newest first; the match marked inside the message, which stays text.
    const first = results.first();
    expect(await first.locator('mark').allTextContents()).toEqual(['403 Forbidden']);
    expect(await first.locator('.log-result__message').textContent()).toBe('GET /catalogue?page=7 answered 403 Forbidden <b>twice</b>');
    expect(await first.locator('.log-result__message b').count()).toBe(0);
    expect(await results.nth(1).locator('mark').allTextContents()).toEqual(['403 FORBIDDEN']);
    expect(await fitsViewport(page)).toBe(true);

    await first.getByRole('link', { name: `Run #${longRunId}, line ${TARGET_SEQ}` }).click();
    await page.getByRole('heading', { level: 1, name: `Trend Shop · run #${longRunId}` }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#L${TARGET_SEQ}`);
    const target = page.locator(`.log-row[data-seq="${TARGET_SEQ}"]`);
    await target.waitFor();
    expect(await target.getAttribute('aria-current')).toBe('location');
    expect(await target.evaluate((el) => el.classList.contains('log-row--target'))).toBe(true);
    // In view: inside the log's scroll box, and the box inside the window.
    await expect
      .poll(
        () =>
          target.evaluate((row) => {
            const box = row.getBoundingClientRect();
            const frame = row.closest('.log-scroll')!.getBoundingClientRect();
            return box.top >= frame.top && box.bottom <= frame.bottom && box.top >= 0 && box.bottom <= window.innerHeight;
          }),
        POLL,
      )
      .toBe(true);
    expect(await page.locator('.log-row--target').count()).toBe(1);
    expect(await fitsViewport(page)).toBe(true);
  });

  it('links each log line from its seq, and highlights the line it names', async () => {
    const row = page.locator(`.log-row[data-seq="${TARGET_SEQ + 1}"]`);
    await row.getByRole('link', { name: `Line ${TARGET_SEQ + 1}` }).click();
    await expect.poll(() => new URL(page.url()).hash, POLL).toBe(`#L${TARGET_SEQ + 1}`);
    await expect.poll(() => row.getAttribute('aria-current'), POLL).toBe('location');
    expect(await page.locator(`.log-row[data-seq="${TARGET_SEQ}"]`).getAttribute('aria-current')).toBeNull();
  });

  it('shows the Data quality trends within the page width', async () => {
    await page.getByRole('link', { name: 'Data quality' }).click();
    await page.getByRole('heading', { level: 2, name: 'Trends' }).waitFor();
    await page.getByTestId('chart-drift').locator('canvas').waitFor();
    expect(await page.getByTestId('chart-completeness').getByText('Days in UTC').count()).toBe(1);
    expect(await fitsViewport(page)).toBe(true);
  });
});
