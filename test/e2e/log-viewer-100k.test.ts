/**
 * A run of 100,000 log lines in the viewer: it renders them all through a virtualised list (only the
 * rows on screen exist in the page) and scrolls from end to start to middle. Timings are printed for
 * the benchmark, never asserted.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

/** Conditions in the page can take a while on a busy machine; this waits, it does not time anything. */
const POLL = { timeout: 15_000 };

const LINES = 100_000;

const { db, server } = useTestServer();
let browser: Browser;
let page: Page;
let runId: number;

beforeAll(async () => {
  await ensureAdminBuilt();
  const { scraperId } = await seedScraper(db.pool, { slug: 'big-shop' });
  runId = await insertRun(db.pool, { scraperId, status: 'SUCCESS', completedMinutesAgo: 1, durationSeconds: 600 });
  // Every 100th line is an ERROR, every 10th otherwise a WARNING.
  await db.pool.query(
    `INSERT INTO log_line (run_id, seq, level, message, timestamp)
     SELECT $1, g,
            (CASE WHEN g % 100 = 0 THEN 'ERROR' WHEN g % 10 = 0 THEN 'WARNING' ELSE 'INFO' END)::"LogLevel",
            'processed item ' || g || ' of the catalogue',
            now() - interval '10 minutes' + g * interval '5 milliseconds'
       FROM generate_series(1, $2::int) g`,
    [runId, LINES],
  );
  // The last line is long: it scrolls sideways until lines are wrapped.
  await db.pool.query(`UPDATE log_line SET message = repeat('a long line of the catalogue ', 40) WHERE run_id = $1 AND seq = $2`, [runId, LINES]);
  await db.pool.query(
    `UPDATE run SET last_seq = $2, info_count = $2 - $2 / 10, warning_count = $2 / 10 - $2 / 100, error_count = $2 / 100 WHERE id = $1`,
    [runId, LINES],
  );
  browser = await launchBrowser();
}, 120_000);

afterEach(async () => {
  await page?.close();
});

afterAll(async () => {
  await browser?.close();
});

/**
 * A page of its own for each test, signed in, showing the run with every line loaded and following
 * the end; answers how long the lines took to replay and render.
 */
async function openRunWithEveryLine(): Promise<number> {
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (error) => console.error('error in the admin page:', error));
  await signIn(page, `http://127.0.0.1:${server.port}`, TEST_ADMIN_TOKEN);
  const started = Date.now();
  await page.goto(`http://127.0.0.1:${server.port}/runs/${runId}`);
  await page.getByTestId('log-summary').filter({ hasText: `${LINES.toLocaleString('en-US')} lines` }).waitFor();
  await page.locator(`.log-row[data-seq="${LINES}"]`).waitFor();
  return Date.now() - started;
}

const scroller = () => page.getByTestId('log-scroll');
const renderedRows = () => page.locator('.log-row').count();
const seqsOnScreen = async () => (await page.locator('.log-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq')))));

// Each test loads the 100,000 lines into a page of its own: a minute is room for a busy machine.
describe('the log viewer with 100,000 lines', { timeout: 120_000 }, () => {
  it('loads every line, keeps only the visible rows in the page, and follows the end', async () => {
    const ms = await openRunWithEveryLine();
    console.log(`[bench] 100,000 log lines replayed and rendered in ${ms} ms`);
    expect(await renderedRows()).toBeLessThan(200);
    expect(await page.getByTestId('follow').isChecked()).toBe(true);
  });

  it('scrolls to the first line, to the middle and back to the end', async () => {
    await openRunWithEveryLine();
    await scroller().evaluate((el) => el.scrollTo({ top: 0 }));
    await page.locator('.log-row[data-seq="1"]').waitFor();
    expect(await page.getByTestId('follow').isChecked()).toBe(false);

    await scroller().evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
    await expect.poll(async () => (await seqsOnScreen()).some((seq) => Math.abs(seq - LINES / 2) < 100), POLL).toBe(true);
    expect(await renderedRows()).toBeLessThan(200);

    // Keyboard: the log region takes focus and End goes to the last line.
    await scroller().focus();
    await page.keyboard.press('End');
    await page.locator(`.log-row[data-seq="${LINES}"]`).waitFor();
    await expect.poll(() => page.getByTestId('follow').isChecked(), POLL).toBe(true);
  });

  it('wraps long lines on request and still follows the end', async () => {
    await openRunWithEveryLine();
    const last = page.locator(`.log-row[data-seq="${LINES}"]`);
    expect((await last.boundingBox())!.height).toBe(24);
    await page.getByTestId('wrap').check();
    await expect.poll(async () => (await last.boundingBox())?.height ?? 0, POLL).toBeGreaterThan(24);
    await expect.poll(() => scroller().evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight), POLL).toBeLessThan(40);
    expect(await page.getByTestId('follow').isChecked()).toBe(true);
    await page.getByTestId('wrap').uncheck();
    await expect.poll(async () => (await last.boundingBox())?.height ?? 0, POLL).toBe(24);
  });

  it('filters 100,000 lines by level', async () => {
    await openRunWithEveryLine();
    await page.getByTestId('min-level').selectOption('ERROR');
    await page.getByTestId('log-summary').filter({ hasText: `1,000 of ${LINES.toLocaleString('en-US')} lines` }).waitFor();
    expect(new Set(await page.locator('.log-row__level').allTextContents())).toEqual(new Set(['ERROR']));
  });
});
