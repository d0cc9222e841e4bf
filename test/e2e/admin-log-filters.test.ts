/**
 * The run log's filters live in the address (kept on reload, shared with a link), work together with
 * the #L line links, and "Jump to the first error" lands on the first ERROR line the way a link does.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const POLL = { timeout: 20_000 };
const LINES = 2_000;
const FIRST_ERROR = 1_500;

const { db, server } = useTestServer();
let browser: Browser;
let baseUrl: string;
let runId: number;

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  const { scraperId } = await seedScraper(db.pool, { slug: 'log-shop' });
  runId = await insertRun(db.pool, { scraperId, status: 'ERROR', queuedMinutesAgo: 10, completedMinutesAgo: 5, durationSeconds: 60 });
  await db.pool.query(
    `INSERT INTO log_line (run_id, seq, level, message, timestamp)
     SELECT $1, g, 'INFO', 'fetched page ' || g, now() - interval '10 minutes' + g * interval '10 milliseconds' FROM generate_series(1, $2::int) g`,
    [runId, LINES],
  );
  await db.pool.query(
    `UPDATE log_line SET level = v.level::"LogLevel", message = v.message
       FROM (VALUES (100, 'WARNING', 'request timeout, retrying'), (200, 'INFO', 'timeout raised to 30 s'),
                    ($2::int, 'ERROR', 'parse failed on page 7'), (1800, 'CRITICAL', 'gave up')) v(seq, level, message)
      WHERE run_id = $1 AND log_line.seq = v.seq`,
    [runId, FIRST_ERROR],
  );
  await db.pool.query(`UPDATE run SET last_seq = $2 WHERE id = $1`, [runId, LINES]);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** True when the row is inside the log's scroll box. */
const inView = (page: Page, seq: number) =>
  page.evaluate((s) => {
    const row = document.querySelector(`.log-row[data-seq="${s}"]`);
    const box = document.querySelector('[data-testid="log-scroll"]');
    if (!row || !box) return false;
    const r = row.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    return r.top >= b.top && r.bottom <= b.bottom;
  }, seq);

describe('the run log', () => {
  let page: Page;

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('reads its filters from the address and keeps them on reload', async () => {
    await page.goto(`${baseUrl}/runs/${runId}?level=WARNING&q=timeout`);
    const summary = page.getByTestId('log-summary');
    await expect.poll(() => summary.textContent(), POLL).toMatch(/^1 of 2,000 lines/);
    expect(await page.getByTestId('min-level').inputValue()).toBe('WARNING');
    expect(await page.getByTestId('log-text').inputValue()).toBe('timeout');
    expect(await page.locator('.log-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-seq')))).toEqual(['100']);

    await page.reload();
    await expect.poll(() => summary.textContent(), POLL).toMatch(/^1 of 2,000 lines/);
    expect(await page.getByTestId('log-text').inputValue()).toBe('timeout');
  });

  it('writes a changed filter into the address, and a line link keeps the filters', async () => {
    await page.getByTestId('min-level').selectOption('INFO');
    await expect.poll(() => new URL(page.url()).search, POLL).toBe('?level=INFO&q=timeout');
    await expect.poll(() => page.getByTestId('log-summary').textContent(), POLL).toMatch(/^2 of 2,000 lines/);

    await page.getByRole('link', { name: 'Line 200' }).click();
    await expect.poll(() => page.url(), POLL).toBe(`${baseUrl}/runs/${runId}?level=INFO&q=timeout#L200`);
    await page.reload();
    const row = page.locator('.log-row[data-seq="200"]');
    await expect.poll(() => row.getAttribute('aria-current'), POLL).toBe('location');
    expect(await page.getByTestId('log-summary').textContent()).toMatch(/^2 of 2,000 lines/);
    expect(await page.getByTestId('min-level').inputValue()).toBe('INFO');
  });

  it('jumps to the first error, clearing a filter that hides it, and highlights it like a link', async () => {
    await page.getByRole('button', { name: 'Jump to the first error' }).click();
    await expect.poll(() => new URL(page.url()).hash, POLL).toBe(`#L${FIRST_ERROR}`);
    expect(new URL(page.url()).search).toBe('');
    const row = page.locator(`.log-row[data-seq="${FIRST_ERROR}"]`);
    await expect.poll(() => row.getAttribute('aria-current'), POLL).toBe('location');
    expect(await row.evaluate((el) => el.classList.contains('log-row--target'))).toBe(true);
    await expect.poll(() => inView(page, FIRST_ERROR), POLL).toBe(true);

    // Scrolled away, the button brings the same line back.
    await page.getByTestId('log-scroll').evaluate((el) => (el.scrollTop = 0));
    await expect.poll(() => inView(page, FIRST_ERROR), POLL).toBe(false);
    await page.getByRole('button', { name: 'Jump to the first error' }).click();
    await expect.poll(() => inView(page, FIRST_ERROR), POLL).toBe(true);
    expect(await page.locator('.log-row--target').count()).toBe(1);
  });
});
