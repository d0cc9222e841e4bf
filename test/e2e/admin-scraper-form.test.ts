/**
 * Creating a scraper in the admin, at 1280 and 390 px: the definition's YAML is checked as it is
 * typed, the server's refusal of a field of the definition is marked on its line of the YAML, and a
 * fixed definition is stored as the object it describes, with its new source.
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

/** Line 9 holds the field the server refuses (a price given as a number). */
const DEFINITION = (slug: string, price: string) => `format: html
urls:
  - http://127.0.0.1:9/${slug}/menu
items: li.product
fields:
  sku: { attr: data-sku }
  name: .name
  brand: .brand
  price: ${price}
`;

/** True when nothing in the page is wider than the viewport (the page scrolls only down). */
const fitsViewport = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  await seedScraper(db.pool, { slug: 'existing-one' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe.each([1280, 390])('the scraper form at %i px', (width) => {
  let page: Page;
  const slug = `made-at-${width}`;

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('marks a YAML syntax error on its line as it is typed, without asking the server', async () => {
    await page.getByRole('link', { name: 'Scrapers', exact: true }).click();
    await page.getByRole('link', { name: 'New scraper' }).click();
    await page.getByRole('heading', { level: 1, name: 'New scraper' }).waitFor();
    const editor = page.getByLabel('Definition (YAML)');
    await editor.fill('format: html\nitems: [li\nfields:\n  sku: x\n');
    await page.getByTestId('config-problems').waitFor();
    expect(await page.locator('.yaml-editor__number--marked').count()).toBeGreaterThan(0);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');

    let posted = 0;
    page.on('request', (request) => request.method() === 'POST' && request.url().endsWith('/graphql') && posted++);
    await page.getByRole('button', { name: 'Create scraper' }).click();
    // The caret goes to the broken line; nothing was sent.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('scraper-config');
    expect(posted).toBe(0);
  });

  it('shows the server’s refusal of a definition field on its line, and of other fields at them', async () => {
    const editor = page.getByLabel('Definition (YAML)');
    await editor.fill(DEFINITION(slug, '12'));
    await page.getByLabel('Name').fill(`Made at ${width}`);
    await page.getByLabel('Slug').fill('Not A Slug');
    await page.getByLabel('Source', { exact: true }).selectOption({ label: 'New source…' });
    await page.getByLabel('New source name').fill(`Shop at ${width}`);
    await page.getByLabel('New source URL').fill(`http://127.0.0.1:9/${slug}`);
    await page.getByLabel('Retries').fill('11');
    await page.getByRole('button', { name: 'Create scraper' }).click();

    const problems = page.getByTestId('config-problems');
    await problems.filter({ hasText: 'fields.price' }).waitFor();
    expect(await problems.locator('li[data-line="9"]').textContent()).toMatch(/^Line 9 · fields\.price: must be a selector or path string/);
    expect(await page.locator('.yaml-editor__number--marked').allTextContents()).toEqual(['9']);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    expect(await editor.getAttribute('aria-describedby')).toContain('scraper-config-problems');
    // The caret is on the line to fix.
    const selected = await editor.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
    expect(selected).toBe('  price: 12');

    for (const [label, id] of [['Slug', 'slug'], ['Retries', 'maxRetries']] as const) {
      expect(await page.getByLabel(label).getAttribute('aria-invalid'), label).toBe('true');
      expect(await page.locator(`#scraper-${id}-problem`).isVisible(), label).toBe(true);
    }
    expect(await page.getByRole('alert').first().textContent()).toContain('3 problems');
    expect(await fitsViewport(page)).toBe(true);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM scraper WHERE name = $1', [`Made at ${width}`])).rows[0].n).toBe(0);
  });

  it('creates the scraper and its source once the problems are fixed', async () => {
    await page.getByLabel('Definition (YAML)').fill(DEFINITION(slug, '.price'));
    await page.getByLabel('Slug').fill(slug);
    await page.getByLabel('Retries').fill('3');
    await page.getByLabel('Missed runs').selectOption('SKIP');
    await page.getByLabel('Cron', { exact: true }).fill('*/30 * * * *');
    await page.getByRole('button', { name: 'Create scraper' }).click();
    await page.getByRole('heading', { level: 1, name: 'Scrapers' }).waitFor();
    await page.getByRole('status').filter({ hasText: `Saved Made at ${width}.` }).waitFor();
    await page.locator(`[data-scraper="${slug}"]`).waitFor();

    const { rows } = await db.pool.query(
      `SELECT s.max_retries, s.missed_run_policy::text, s.cron, s.config, src.name AS source FROM scraper s JOIN source src ON src.id = s.source_id WHERE s.slug = $1`,
      [slug],
    );
    expect(rows[0]).toMatchObject({ max_retries: 3, missed_run_policy: 'SKIP', cron: '*/30 * * * *', source: `Shop at ${width}` });
    expect(rows[0].config.fields.price).toBe('.price');
    expect(rows[0].config.urls).toEqual([`http://127.0.0.1:9/${slug}/menu`]);
  });

  it('opens the stored definition as YAML for editing', async () => {
    await page.locator(`[data-scraper="${slug}"]`).getByRole('link', { name: 'Edit definition' }).click();
    await page.getByRole('heading', { level: 1, name: /Edit scraper/ }).waitFor();
    await expect.poll(() => page.getByLabel('Definition (YAML)').inputValue(), POLL).toContain('price: .price');
    expect(await page.getByLabel('Retries').inputValue()).toBe('3');
    expect(await page.getByLabel('Missed runs').inputValue()).toBe('SKIP');
    expect(await page.getByLabel('Slug').count()).toBe(0);
    expect(await fitsViewport(page)).toBe(true);
  });
});
