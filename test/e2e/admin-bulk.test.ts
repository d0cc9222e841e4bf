/**
 * Acting on many at once in the admin, at 1280 and 390 px: select two scrapers and pause them (each
 * answered, both shown paused), run a selection that holds a disabled scraper (it is named with its
 * reason, the rest run), and retry selected failed runs.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const POLL = { timeout: 15_000 };

const { db, server } = useTestServer();
let browser: Browser;
let baseUrl: string;

const fitsViewport = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const pausedOf = async (ids: number[]) =>
  (await db.pool.query('SELECT paused FROM scraper WHERE id = ANY($1) ORDER BY id', [ids])).rows.map((r) => r.paused as boolean);

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe.each([1280, 390])('bulk actions at %i px', (width) => {
  let page: Page;
  let alpha: number;
  let beta: number;
  let off: number;
  const card = (slug: string) => page.locator(`[data-scraper="${slug}"]`);
  const results = () => page.getByTestId('bulk-results');

  beforeAll(async () => {
    ({ scraperId: alpha } = await seedScraper(db.pool, { slug: `alpha-${width}` }));
    ({ scraperId: beta } = await seedScraper(db.pool, { slug: `beta-${width}` }));
    ({ scraperId: off } = await seedScraper(db.pool, { slug: `off-${width}`, enabled: false }));
    page = await browser.newPage({ viewport: { width, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('pauses two selected scrapers, answers for each, and shows both paused', async () => {
    await page.getByRole('link', { name: 'Scrapers', exact: true }).click();
    await card(`alpha-${width}`).getByRole('checkbox', { name: `Select Scraper alpha-${width}` }).check();
    await card(`beta-${width}`).getByRole('checkbox', { name: `Select Scraper beta-${width}` }).check();
    expect(await page.getByTestId('selected-count').textContent()).toBe('2 selected');

    const pause = page.getByRole('button', { name: 'Pause selected' });
    await pause.click();
    await results().getByText('Paused 2 of 2 scrapers.').waitFor();
    expect(await results().locator('li').allTextContents()).toEqual([`Scraper alpha-${width}: done`, `Scraper beta-${width}: done`]);
    await card(`alpha-${width}`).getByText('Paused', { exact: true }).waitFor();
    await card(`beta-${width}`).getByText('Paused', { exact: true }).waitFor();
    expect(await pausedOf([alpha, beta])).toEqual([true, true]);
    // The button pressed keeps the focus, and the done items leave the selection.
    expect(await pause.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.getByTestId('selected-count').textContent()).toBe('0 selected');
    expect(await fitsViewport(page)).toBe(true);

    await card(`alpha-${width}`).getByRole('checkbox').check();
    await card(`beta-${width}`).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Resume selected' }).click();
    await results().getByText('Resumed 2 of 2 scrapers.').waitFor();
    await expect.poll(() => pausedOf([alpha, beta]), POLL).toEqual([false, false]);
  });

  it('runs the selected scrapers and names the one that could not run, with its reason', async () => {
    await card(`alpha-${width}`).getByRole('checkbox').check();
    await card(`off-${width}`).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Run selected now' }).click();
    await results().getByText('Started a run of 1 of 2 scrapers; 1 could not be.').waitFor();
    expect(await results().locator(`li[data-item="${alpha}"]`).textContent()).toBe(`Scraper alpha-${width}: done`);
    expect(await results().locator(`li[data-item="${off}"]`).textContent()).toMatch(new RegExp(`^Scraper off-${width}: .*disabled`, 'i'));
    // The one that failed stays selected for another try.
    expect(await card(`off-${width}`).getByRole('checkbox').isChecked()).toBe(true);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM run WHERE scraper_id = $1 AND status = 'QUEUED'`, [alpha])).rows[0].n).toBe(1);
    await card(`off-${width}`).getByRole('checkbox').uncheck();
    await db.pool.query(`UPDATE run SET status = 'CANCELLED', completed_at = now() WHERE scraper_id = $1 AND status = 'QUEUED'`, [alpha]);
  });

  it('retries the selected failed runs, each answered with its new run', async () => {
    const failed = [
      await insertRun(db.pool, { scraperId: beta, status: 'ERROR', queuedMinutesAgo: 5, completedMinutesAgo: 4, durationSeconds: 2 }),
      await insertRun(db.pool, { scraperId: alpha, status: 'ERROR', queuedMinutesAgo: 6, completedMinutesAgo: 5, durationSeconds: 2 }),
    ];
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByLabel('Status').selectOption('ERROR');
    await page.getByTestId('runs-count').filter({ hasText: /^1–\d+ of \d+ runs$/ }).waitFor();
    for (const id of failed) await page.getByRole('checkbox', { name: `Select run #${id}`, exact: true }).check();
    expect(await page.getByTestId('selected-count').textContent()).toBe('2 failed runs selected');
    await page.getByRole('button', { name: 'Retry selected' }).click();
    await results().getByText('Retried 2 of 2 runs.').waitFor();
    for (const id of failed) {
      expect(await results().locator(`li[data-item="${id}"]`).textContent()).toMatch(new RegExp(`^Run #${id} retried as run #\\d+: done$`));
    }
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM run WHERE retry_of_id = ANY($1)`, [failed]);
    expect(rows[0].n).toBe(2);
    expect(await fitsViewport(page)).toBe(true);
  });
});
