/**
 * The schedule in the scraper form, at 1280 and 390 px: what is wrong with a cron expression is shown
 * at the field as it is typed, a macro previews its fire times in the zone stated, and picking another
 * zone from the list of IANA zones moves them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const POLL = { timeout: 15_000 };

const { db, server } = useTestServer();
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  await seedScraper(db.pool, { slug: 'scheduled', cron: '0 6 * * *' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe.each([1280, 390])('the schedule fields at %i px', (width) => {
  let page: Page;

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
    await page.goto(`${baseUrl}/scrapers/scheduled/edit`);
    await page.getByRole('heading', { level: 1, name: /Edit scraper/ }).waitFor();
  });

  afterAll(async () => {
    await page?.close();
  });

  const cron = () => page.getByLabel('Cron', { exact: true });
  const problem = () => page.locator('#scraper-cron-problem');
  const fireTimes = () => page.getByTestId('cron-preview').locator('time').evaluateAll((times) => times.map((t) => t.getAttribute('datetime')!));

  /** The problem is tied to the field: marked invalid, and read with it. */
  async function expectProblemAtCron(text: string) {
    await expect.poll(() => problem().textContent().catch(() => null), POLL).toBe(text);
    expect(await cron().getAttribute('aria-invalid')).toBe('true');
    expect((await cron().getAttribute('aria-describedby'))?.split(' ')).toContain('scraper-cron-problem');
    expect(await page.getByTestId('cron-preview').locator('time').count()).toBe(0);
  }

  it('says the minute is out of range, at the field, as it is typed', async () => {
    await cron().fill('61 * * * *');
    await expectProblemAtCron('minute: 61 is out of range 0–59');
  });

  it('says a schedule of 31 February never fires', async () => {
    await cron().fill('0 0 31 2 *');
    await expectProblemAtCron('day-of-month 31 never occurs in February: this schedule never fires');
  });

  it('previews @hourly an hour apart, in the zone it states', async () => {
    await page.getByLabel('Time zone').fill('UTC');
    await cron().fill('@hourly');
    await expect.poll(() => fireTimes().then((times) => times.length), POLL).toBe(5);
    expect(await cron().getAttribute('aria-invalid')).toBeNull();
    expect(await problem().count()).toBe(0);
    expect((await cron().getAttribute('aria-describedby'))?.split(' ')).toContain('scraper-cron-preview');
    const times = (await fireTimes()).map((t) => new Date(t).getTime());
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(3_600_000);
    expect(new Date(times[0]!).getUTCMinutes()).toBe(0);
    expect(await page.getByTestId('cron-preview').textContent()).toContain('Next runs (UTC)');
  });

  it('moves the preview to a zone picked from the list of IANA zones', async () => {
    const zone = page.getByLabel('Time zone');
    const listId = await zone.getAttribute('list');
    const offered = await page.locator(`datalist#${listId} option`).evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toEqual(expect.arrayContaining(['UTC', 'Europe/Berlin', 'Asia/Tehran']));
    // Tehran is 3 h 30 min ahead of UTC: its full hours fall at half past in UTC.
    await zone.fill('Asia/Tehran');
    await expect.poll(async () => (await fireTimes()).map((t) => new Date(t).getUTCMinutes()), POLL).toEqual([30, 30, 30, 30, 30]);
    expect(await page.getByTestId('cron-preview').textContent()).toContain('Next runs (Asia/Tehran)');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('saves the macro as written, with the zone picked', async () => {
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Scrapers' }).waitFor();
    const { rows } = await db.pool.query(`SELECT cron, timezone FROM scraper WHERE slug = 'scheduled'`);
    expect(rows[0]).toEqual({ cron: '@hourly', timezone: 'Asia/Tehran' });
  });
});
