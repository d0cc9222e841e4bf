/**
 * What the admin pushes without being asked: a runner that goes silent turns Offline on the open
 * Runners page (no run changes, no reload, no request but the websocket's), relative times move on
 * their own, and every page says when the live connection drops and when it is back.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { seedRunner } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

// Auth records a runner's calls to within 5 s: the window is longer so that a call always counts.
const WINDOW_SECONDS = 6;
const { db, server, restartServer } = useTestServer({ runnerOnlineWindowSeconds: WINDOW_SECONDS, runnerPresenceSweepSeconds: 0.5 });
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureAdminBuilt();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => console.error('error in the admin page:', error));
  await signIn(page, `http://127.0.0.1:${server.port}`, TEST_ADMIN_TOKEN);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('runner presence on the Runners page', () => {
  it('turns a silent runner Offline live and keeps its last-seen time moving, with no request while idle', async () => {
    const live = await seedRunner(db.pool, 'goes-silent');
    await seedRunner(db.pool, 'long-gone');
    await db.pool.query(`UPDATE runner SET last_seen_at = now() - interval '30 seconds' WHERE name = 'long-gone'`);
    await server.client({ apiKey: live.apiKey }).data(`mutation { claimRun { __typename } }`);

    await page.getByRole('link', { name: 'Runners' }).click();
    const silent = page.getByRole('row').filter({ hasText: 'goes-silent' });
    const gone = page.getByRole('row').filter({ hasText: 'long-gone' });
    await silent.getByText('Connected').waitFor();
    await gone.getByText('Offline').waitFor();
    const requests: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() !== 'websocket') requests.push(request.url());
    });

    const firstAge = await gone.locator('td[data-label="Last seen"] time').innerText();
    await silent.getByText('Offline').waitFor({ timeout: (WINDOW_SECONDS + 5) * 1000 });
    await expect.poll(() => gone.locator('td[data-label="Last seen"] time').innerText(), { timeout: 10_000 }).not.toBe(firstAge);
    await expect(silent.locator('td[data-label="Last seen"] time').getAttribute('datetime')).resolves.toBeTruthy();
    expect(requests).toEqual([]);
  }, 40_000);
});

describe('the live connection banner', () => {
  it('says on any page that the connection dropped, then that it is back, then goes away', async () => {
    await page.getByRole('link', { name: 'Runners' }).click();
    await page.getByRole('heading', { level: 1, name: 'Runners' }).waitFor();
    const banner = page.getByTestId('live-connection');
    await expect(banner.getAttribute('role')).resolves.toBe('status');
    await expect(banner.innerText()).resolves.toBe('');
    // The drop may be short: record every text the banner shows.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { bannerTexts: string[] }).bannerTexts = seen;
      const element = document.querySelector('[data-testid="live-connection"]')!;
      new MutationObserver(() => seen.push(element.textContent ?? '')).observe(element, { childList: true, subtree: true, characterData: true });
    });

    await restartServer({ port: server.port });

    await banner.filter({ hasText: 'is back' }).waitFor();
    const texts = await page.evaluate(() => (window as unknown as { bannerTexts: string[] }).bannerTexts);
    expect(texts.some((text) => text.includes('Reconnecting…'))).toBe(true);
    await expect.poll(() => banner.innerText(), { timeout: 10_000 }).toBe('');
  }, 40_000);
});
