import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { createLogger } from '../../server/logger.ts';
import { registerDefinitions } from '../../server/scrapers/registerDefinitions.ts';
import { BUILT_IN_DEFINITIONS, loadDefinitions, parseDefinitionText } from '../../scrapers/definitions/loadDefinitions.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const GOOD = `
slug: tiny-shop
name: Tiny shop
source: { name: Tiny Shop, url: \${FIXTURES_URL}/tiny }
format: html
urls: [\${FIXTURES_URL}/tiny/menu]
items: li.product
fields:
  sku: { attr: data-sku }
  name: .name
  price: .price
`;

let testDb: TestDatabase;
let db: Database;
const dirs: string[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url, createLogger('silent'), { max: 2 });
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function folderWith(files: Record<string, string>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-definitions-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

const placeholders = { FIXTURES_URL: 'http://127.0.0.1:4100' };

describe('scraper definitions', () => {
  it('accepts the built-in definitions and fills in defaults', async () => {
    const definitions = await loadDefinitions(BUILT_IN_DEFINITIONS, placeholders);
    expect(definitions.map((d) => d.slug)).toEqual(['corner-store', 'green-leaf', 'slow-farm', 'sunset-api']);
    const tiny = parseDefinitionText(GOOD, placeholders, 'tiny.yaml');
    expect(tiny).toMatchObject({ urls: ['http://127.0.0.1:4100/tiny/menu'], timeoutMs: 10_000, retries: 2, rateLimit: { concurrency: 2, delayMs: 0 } });
  });

  it.each([
    ['a field spec of the wrong type', GOOD.replace('price: .price', 'price: 42'), /^bad\.yaml: fields\.price: /],
    ['an unknown field', GOOD.replace('  price: .price', '  price: .price\n  colour: .colour'), /^bad\.yaml: fields\.colour: Unrecognized key/],
    ['an unknown format', GOOD.replace('format: html', 'format: xml'), /^bad\.yaml: format: must be html or json/],
    ['a relative start URL', GOOD.replace('urls: [${FIXTURES_URL}/tiny/menu]', 'urls: [/tiny/menu]'), /^bad\.yaml: urls\.0: must be an absolute http or https URL/],
    ['a missing name selector', GOOD.replace('  name: .name\n', ''), /^bad\.yaml: fields\.name: /],
    ['both urls and skus', GOOD.replace('items:', 'skus: { list: [A], url: "http://x.test/{sku}" }\nitems:'), /^bad\.yaml: urls: give either urls/],
    ['a rate limit out of range', `${GOOD}rateLimit: { concurrency: 0 }\n`, /^bad\.yaml: rateLimit\.concurrency: /],
    ['a placeholder without a value', GOOD.replace('${FIXTURES_URL}/tiny/menu]', '${SHOP_URL}/menu]'), /placeholder \$\{SHOP_URL\} has no value/],
  ])('refuses %s with a message naming the field', async (_what, text, message) => {
    expect(() => parseDefinitionText(text, placeholders, 'bad.yaml')).toThrow(message);
  });

  it('registers sources and scrapers from a folder, again and again without duplicates', async () => {
    const dir = await folderWith({ 'tiny.yaml': GOOD });
    const first = await registerDefinitions(db, await loadDefinitions(dir, placeholders));
    const again = await registerDefinitions(db, await loadDefinitions(dir, { FIXTURES_URL: 'http://127.0.0.1:4200' }));
    expect(again).toEqual(first);
    const scraper = await db.prisma.scraper.findUniqueOrThrow({ where: { slug: 'tiny-shop' }, include: { source: true } });
    expect(scraper.source).toMatchObject({ name: 'Tiny Shop', url: 'http://127.0.0.1:4200/tiny' });
    expect(scraper.config).toMatchObject({ slug: 'tiny-shop', urls: ['http://127.0.0.1:4200/tiny/menu'] });
  });

  it('refuses a folder holding a malformed definition, naming file and field, and stores none of it', async () => {
    const dir = await folderWith({
      'a-good.yaml': GOOD.replace('tiny-shop', 'other-shop').replace('Tiny Shop', 'Other Shop'),
      'b-bad.yaml': GOOD.replace('tiny-shop', 'bad-shop').replace('items: li.product', 'items: li.product\npagination: { nxt: a.next }'),
    });
    await expect(loadDefinitions(dir, placeholders)).rejects.toThrow(/^b-bad\.yaml: pagination\.next: .*pagination\.nxt: Unrecognized key/);
    expect(await db.prisma.scraper.count({ where: { slug: { in: ['other-shop', 'bad-shop'] } } })).toBe(0);
  });
});
