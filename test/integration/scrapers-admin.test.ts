import { describe, expect, it } from 'vitest';
import { seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const SCRAPER_FIELDS = /* GraphQL */ `
  id slug name cron timezone enabled paused config maxRetries missedRunPolicy
  source { id name url staleAfterMinutes criticalAfterMinutes }`;

const ERROR_FIELDS = /* GraphQL */ `
  ... on Error { message }
  ... on ValidationError { issues { path message } }
  ... on NotFoundError { entity id }`;

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateScraperInput!) {
    createScraper(input: $input) {
      __typename
      ... on MutationCreateScraperSuccess { data { ${SCRAPER_FIELDS} } }
      ${ERROR_FIELDS}
      ... on SlugTakenError { slug }
      ... on SourceNameTakenError { name }
    }
  }`;

const UPDATE = /* GraphQL */ `
  mutation Update($id: ID!, $input: UpdateScraperInput!) {
    updateScraper(id: $id, input: $input) {
      __typename
      ... on MutationUpdateScraperSuccess { data { ${SCRAPER_FIELDS} } }
      ${ERROR_FIELDS}
      ... on SlugTakenError { slug }
    }
  }`;

const PAUSE = /* GraphQL */ `
  mutation Pause($id: ID!) { pauseScraper(scraperId: $id) { __typename ... on MutationPauseScraperSuccess { data { paused } } ${ERROR_FIELDS} } }`;
const RESUME = /* GraphQL */ `
  mutation Resume($id: ID!) { resumeScraper(scraperId: $id) { __typename ... on MutationResumeScraperSuccess { data { paused } } ${ERROR_FIELDS} } }`;

const { db, server } = useTestServer();

const count = async (table: 'scraper' | 'source') => (await db.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

const newScraper = (slug: string, overrides: Record<string, unknown> = {}) => ({
  slug,
  name: `Scraper ${slug}`,
  source: { name: `${slug} shop`, url: `https://${slug}.example.test/menu` },
  config: menuDefinition(`https://${slug}.example.test/menu`),
  ...overrides,
});

/** A valid definition as the API takes it: slug, name and source come from the scraper itself. */
function menuDefinition(url: string) {
  return { format: 'html', urls: [url], items: '.product', fields: { sku: { attr: 'data-sku' }, name: '.name', price: '.price' } };
}

describe('createScraper', () => {
  it('makes a scraper with a new source and the defaults', async () => {
    const { createScraper } = await server.admin.data(CREATE, { input: newScraper('green-leaf', { cron: '*/15 * * * *', timezone: 'Europe/Berlin' }) });
    expect(createScraper.__typename).toBe('MutationCreateScraperSuccess');
    expect(createScraper.data).toMatchObject({
      slug: 'green-leaf',
      cron: '*/15 * * * *',
      timezone: 'Europe/Berlin',
      enabled: true,
      paused: false,
      maxRetries: 2,
      missedRunPolicy: 'RUN_ONCE',
      config: { format: 'html', urls: ['https://green-leaf.example.test/menu'], items: '.product', fields: { price: '.price' } },
      source: { name: 'green-leaf shop', url: 'https://green-leaf.example.test/menu', staleAfterMinutes: 1440, criticalAfterMinutes: 4320 },
    });
  });

  it('makes a scraper on an existing source', async () => {
    const { sources } = await server.admin.data(`{ sources { id name scrapers { slug } } }`);
    const shop = sources.find((s: any) => s.name === 'green-leaf shop');
    const { source: _omit, ...rest } = newScraper('green-leaf-deals', { sourceId: shop.id, enabled: false, maxRetries: 0, missedRunPolicy: 'SKIP' });
    const { createScraper } = await server.admin.data(CREATE, { input: rest });
    expect(createScraper.data).toMatchObject({ enabled: false, maxRetries: 0, missedRunPolicy: 'SKIP', cron: null, timezone: 'UTC', source: { id: shop.id } });
    const after = await server.admin.data(`{ sources { name scrapers { slug } } }`);
    expect(after.sources.find((s: any) => s.name === 'green-leaf shop').scrapers.map((s: any) => s.slug)).toEqual(['green-leaf', 'green-leaf-deals']);
  });

  it('refuses a taken slug with SlugTakenError and keeps the new source out too', async () => {
    const [scrapers, sources] = [await count('scraper'), await count('source')];
    const { createScraper } = await server.admin.data(CREATE, { input: newScraper('green-leaf', { source: { name: 'another shop', url: 'http://another.test' } }) });
    expect(createScraper).toMatchObject({ __typename: 'SlugTakenError', slug: 'green-leaf' });
    expect([await count('scraper'), await count('source')]).toEqual([scrapers, sources]);
  });

  it('refuses a taken source name with SourceNameTakenError', async () => {
    const scrapers = await count('scraper');
    const { createScraper } = await server.admin.data(CREATE, { input: newScraper('fresh-slug', { source: { name: 'green-leaf shop', url: 'http://x.test' } }) });
    expect(createScraper).toMatchObject({ __typename: 'SourceNameTakenError', name: 'green-leaf shop' });
    expect(await count('scraper')).toBe(scrapers);
  });

  it('answers an unknown sourceId with NotFoundError', async () => {
    const { source: _omit, ...rest } = newScraper('orphan', { sourceId: '999999' });
    const { createScraper } = await server.admin.data(CREATE, { input: rest });
    expect(createScraper).toMatchObject({ __typename: 'NotFoundError', entity: 'Source', id: '999999' });
    expect(await db.pool.query(`SELECT 1 FROM scraper WHERE slug = 'orphan'`)).toMatchObject({ rowCount: 0 });
  });

  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['an oversize slug', { slug: 'a'.repeat(65) }, 'slug'],
    ['a slug with capitals and spaces', { slug: 'Not A Slug' }, 'slug'],
    ['an empty name', { name: '   ' }, 'name'],
    ['an oversize name', { name: 'n'.repeat(201) }, 'name'],
    ['a cron of six fields', { cron: '0 */5 * * * *' }, 'cron'],
    ['a cron of three fields', { cron: '* * *' }, 'cron'],
    ['a cron with an impossible minute', { cron: '61 * * * *' }, 'cron'],
    ['a macro the scheduler does not run', { cron: '@reboot' }, 'cron'],
    ['a schedule that never fires', { cron: '0 0 31 2 *' }, 'cron'],
    ['an oversize cron', { cron: `${'1,'.repeat(80)}1 * * * *` }, 'cron'],
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    ['an offset instead of a zone', { timezone: '+01:00' }, 'timezone'],
    ['a config over 256 KiB', { config: { blob: 'x'.repeat(256 * 1024) } }, 'config'],
    ['a config that is not an object', { config: [1, 2, 3] }, 'config'],
    ['a definition whose price is a number', { config: { ...menuDefinition('https://x.test'), fields: { sku: 'td.s', name: 'td.n', price: 42 } } }, 'config.fields.price'],
    ['a definition without its sku field', { config: { ...menuDefinition('https://x.test'), fields: { name: 'td.n' } } }, 'config.fields.sku'],
    ['a definition with an unknown format', { config: { ...menuDefinition('https://x.test'), format: 'xml' } }, 'config.format'],
    ['a definition with a listing URL that is not http', { config: { ...menuDefinition('https://x.test'), urls: ['ftp://x.test/menu'] } }, 'config.urls.0'],
    ['a definition with both urls and skus', { config: { ...menuDefinition('https://x.test'), skus: { list: ['a'], url: 'https://x.test/{sku}' } } }, 'config.urls'],
    ['an html definition without items', { config: { ...menuDefinition('https://x.test'), items: '' } }, 'config.items'],
    ['a toy config', { config: { startUrl: 'https://x.test/menu', items: '.product' } }, 'config'],
    ['too many retries', { maxRetries: 11 }, 'maxRetries'],
    ['a negative retry count', { maxRetries: -1 }, 'maxRetries'],
    ['a source URL that is not http', { source: { name: 'ftp shop', url: 'ftp://files.example.test/menu' } }, 'source.url'],
    ['a source URL that is no URL', { source: { name: 'junk shop', url: 'javascript:alert(1)' } }, 'source.url'],
    ['an oversize source URL', { source: { name: 'long shop', url: `https://x.test/${'p'.repeat(2100)}` } }, 'source.url'],
    ['an oversize source name', { source: { name: 's'.repeat(201), url: 'https://x.test' } }, 'source.name'],
    ['critical before stale', { source: { name: 'odd shop', url: 'https://x.test', staleAfterMinutes: 600, criticalAfterMinutes: 60 } }, 'source.criticalAfterMinutes'],
    ['a zero freshness threshold', { source: { name: 'zero shop', url: 'https://x.test', staleAfterMinutes: 0 } }, 'source.staleAfterMinutes'],
    ['both source and sourceId', { sourceId: '1' }, 'source'],
    ['neither source nor sourceId', { source: null }, 'source'],
  ];

  it('names the bad field of a malformed definition and says what is wrong with it', async () => {
    const config = { ...menuDefinition('https://x.test'), fields: { sku: 'td.s', name: 'td.n', price: 42 } };
    const { createScraper } = await server.admin.data(CREATE, { input: newScraper('bad-definition', { config }) });
    expect(createScraper.__typename).toBe('ValidationError');
    expect(createScraper.issues).toEqual([
      { path: 'input.config.fields.price', message: 'must be a selector or path string, or an object { selector, attr } or { path }' },
    ]);
    expect(await db.pool.query(`SELECT 1 FROM scraper WHERE slug = 'bad-definition'`)).toMatchObject({ rowCount: 0 });
  });

  it('takes back the config of a scraper registered from a definition file, identity and all', async () => {
    const registered = { slug: 'other-slug', name: 'Other', source: { name: 'Other shop', url: 'https://other.test' }, cron: '0 * * * *', ...menuDefinition('https://x.test') };
    const { createScraper } = await server.admin.data(CREATE, { input: newScraper('round-trip', { config: registered }) });
    expect(createScraper.__typename).toBe('MutationCreateScraperSuccess');
    expect(createScraper.data).toMatchObject({ slug: 'round-trip', source: { name: 'round-trip shop' } });
  });

  it.each(bad)('refuses %s with ValidationError and stores nothing', async (_label, overrides, path) => {
    const [scrapers, sources] = [await count('scraper'), await count('source')];
    const { createScraper } = await server.admin.data(CREATE, { input: newScraper('bad-input', overrides) });
    expect(createScraper.__typename).toBe('ValidationError');
    expect(createScraper.issues.map((i: any) => i.path)).toContain(`input.${path}`);
    expect([await count('scraper'), await count('source')]).toEqual([scrapers, sources]);
  });
});

describe('definitions as YAML, and every problem at once', () => {
  const YAML_DEFINITION = `# the menu, as a definition file would have it
format: html
urls: [https://yaml.example.test/menu]
items: .product
fields:
  sku: { attr: data-sku }
  name: .name
  price: .price   # "$35.00" -> 35
`;

  it('takes a definition written in YAML, as definition files are, and stores the object it describes', async () => {
    const { createScraper } = await server.admin.data(CREATE, { input: newScraper('yaml-shop', { config: YAML_DEFINITION }) });
    expect(createScraper.__typename).toBe('MutationCreateScraperSuccess');
    expect(createScraper.data.config).toMatchObject({ format: 'html', urls: ['https://yaml.example.test/menu'], fields: { sku: { attr: 'data-sku' }, price: '.price' } });
    // JSON text is YAML too, and updateScraper takes either.
    const json = JSON.stringify({ ...menuDefinition('https://yaml.example.test/other'), items: '.item' });
    const { updateScraper } = await server.admin.data(UPDATE, { id: createScraper.data.id, input: { config: json } });
    expect(updateScraper.data.config).toMatchObject({ items: '.item', urls: ['https://yaml.example.test/other'] });
  });

  it.each([
    ['YAML that does not parse', 'format: html\nurls: [https://x.test\n', /^is not valid YAML or JSON: /],
    ['a key given twice', 'format: html\nformat: json\n', /^is not valid YAML or JSON: /],
    ['a YAML list', '- format: html\n', /^must be a JSON object, or YAML or JSON text of a mapping$/],
    ['a YAML scalar', 'just words', /^must be a JSON object, or YAML or JSON text of a mapping$/],
    ['an alias bomb', `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\n`, /^is not valid YAML or JSON: /],
    ['text over 256 KiB', `format: html\n# ${'x'.repeat(256 * 1024)}\n`, /^must be at most 256 KiB$/],
  ])('refuses %s as a config, saying why', async (_label, config, message) => {
    const { createScraper } = await server.admin.data(CREATE, { input: newScraper('bad-yaml', { config }) });
    expect(createScraper.__typename).toBe('ValidationError');
    expect(createScraper.issues).toHaveLength(1);
    expect(createScraper.issues[0].path).toBe('input.config');
    expect(createScraper.issues[0].message).toMatch(message);
  });

  it('reports every problem of a new scraper at once, the source and the definition included', async () => {
    const { createScraper } = await server.admin.data(CREATE, {
      input: newScraper('Bad Slug', {
        source: { name: 'junk', url: 'not a url' },
        cron: 'every day',
        timezone: 'Mars/Olympus_Mons',
        maxRetries: 99,
        config: { ...menuDefinition('https://x.test'), format: 'xml' },
        sourceId: '1',
      }),
    });
    expect(createScraper.__typename).toBe('ValidationError');
    expect(createScraper.issues.map((i: any) => i.path).sort()).toEqual(
      ['input.config.format', 'input.cron', 'input.maxRetries', 'input.slug', 'input.source', 'input.source.url', 'input.timezone'].sort(),
    );
    // A definition that does not even parse hides nothing else either.
    const unparsable = await server.admin.data(CREATE, { input: newScraper('Bad Slug', { config: 'format: [', source: null }) });
    expect(unparsable.createScraper.issues.map((i: any) => i.path).sort()).toEqual(['input.config', 'input.slug', 'input.source'].sort());
  });

  it('reports every problem of a change at once', async () => {
    const seeded = await seedScraper(db.pool);
    const { updateScraper } = await server.admin.data(UPDATE, {
      id: String(seeded.scraperId),
      input: { slug: '-bad', name: null, cron: '61 * * * *', timezone: 'Nowhere/Else', config: 'format: xml\n' },
    });
    expect(updateScraper.issues.map((i: any) => i.path).sort()).toEqual(
      ['input.config.fields', 'input.config.format', 'input.cron', 'input.name', 'input.slug', 'input.timezone'].sort(),
    );
  });
});

describe('updateScraper, pauseScraper and resumeScraper', () => {
  it('changes only the fields given, and cron: null removes the schedule', async () => {
    const seeded = await seedScraper(db.pool, { slug: 'to-update', cron: '0 * * * *', config: { a: 1 } });
    const id = String(seeded.scraperId);
    const renamed = await server.admin.data(UPDATE, { id, input: { name: 'Renamed', timezone: 'America/New_York', maxRetries: 5 } });
    expect(renamed.updateScraper.data).toMatchObject({ slug: 'to-update', name: 'Renamed', cron: '0 * * * *', timezone: 'America/New_York', maxRetries: 5, config: { a: 1 } });
    const json = { format: 'json', skus: { list: ['a-1'], url: 'https://api.example.test/p/{sku}' }, fields: { sku: 'id', name: 'title' } };
    const unscheduled = await server.admin.data(UPDATE, { id, input: { cron: null, slug: 'updated', config: json } });
    expect(unscheduled.updateScraper.data).toMatchObject({ slug: 'updated', name: 'Renamed', cron: null, config: json });
  });

  it('refuses a slug that another scraper has', async () => {
    const mine = await seedScraper(db.pool, { slug: 'mine' });
    await seedScraper(db.pool, { slug: 'theirs' });
    const { updateScraper } = await server.admin.data(UPDATE, { id: String(mine.scraperId), input: { slug: 'theirs', name: 'Stolen' } });
    expect(updateScraper).toMatchObject({ __typename: 'SlugTakenError', slug: 'theirs' });
    const { rows } = await db.pool.query(`SELECT slug, name FROM scraper WHERE id = $1`, [mine.scraperId]);
    expect(rows[0]).toEqual({ slug: 'mine', name: 'Scraper mine' });
  });

  const badUpdates: Array<[string, Record<string, unknown>, string]> = [
    ['a bad cron', { cron: '99 99 * * *' }, 'cron'],
    ['a bad time zone', { timezone: 'Europe/Atlantis' }, 'timezone'],
    ['a huge config', { config: { blob: 'y'.repeat(300 * 1024) } }, 'config'],
    ['an oversize name', { name: 'x'.repeat(1000) }, 'name'],
    ['a bad slug', { slug: '-dash-first' }, 'slug'],
    ['a null name', { name: null }, 'name'],
    ['a null config', { config: null }, 'config'],
    ['a definition with a bad price field', { config: { ...menuDefinition('https://x.test'), fields: { sku: 'td.s', name: 'td.n', price: { selector: 'td.p', xpath: '//p' } } } }, 'config.fields.price'],
  ];

  it.each(badUpdates)('refuses %s with ValidationError and changes nothing', async (_label, input, path) => {
    const seeded = await seedScraper(db.pool, { cron: '5 4 * * *', config: { keep: true } });
    const before = (await db.pool.query(`SELECT * FROM scraper WHERE id = $1`, [seeded.scraperId])).rows[0];
    const { updateScraper } = await server.admin.data(UPDATE, { id: String(seeded.scraperId), input: { ...input, maxRetries: 7 } });
    expect(updateScraper.__typename).toBe('ValidationError');
    expect(updateScraper.issues.map((i: any) => i.path)).toContain(`input.${path}`);
    expect((await db.pool.query(`SELECT * FROM scraper WHERE id = $1`, [seeded.scraperId])).rows[0]).toEqual(before);
  });

  it('answers an unknown scraper or source with NotFoundError', async () => {
    const missing = await server.admin.data(UPDATE, { id: '424242', input: { name: 'Nobody' } });
    expect(missing.updateScraper).toMatchObject({ __typename: 'NotFoundError', entity: 'Scraper', id: '424242' });
    const seeded = await seedScraper(db.pool);
    const noSource = await server.admin.data(UPDATE, { id: String(seeded.scraperId), input: { sourceId: '424242' } });
    expect(noSource.updateScraper).toMatchObject({ __typename: 'NotFoundError', entity: 'Source' });
    const garbage = await server.admin.data(PAUSE, { id: 'not-an-id' });
    expect(garbage.pauseScraper).toMatchObject({ __typename: 'NotFoundError', entity: 'Scraper' });
  });

  it('pauses and resumes a scraper', async () => {
    const seeded = await seedScraper(db.pool);
    const id = String(seeded.scraperId);
    expect((await server.admin.data(PAUSE, { id })).pauseScraper.data.paused).toBe(true);
    expect((await db.pool.query(`SELECT paused FROM scraper WHERE id = $1`, [id])).rows[0].paused).toBe(true);
    expect((await server.admin.data(RESUME, { id })).resumeScraper.data.paused).toBe(false);
    expect((await db.pool.query(`SELECT paused FROM scraper WHERE id = $1`, [id])).rows[0].paused).toBe(false);
  });
});

describe('a scraper with its runs', () => {
  it('pages its runs newest first and shows the newest as lastRun', async () => {
    const seeded = await seedScraper(db.pool, { slug: 'with-runs' });
    const other = await seedScraper(db.pool);
    const id = String(seeded.scraperId);
    const empty = await server.admin.data(`query($slug: String!) { scraper(slug: $slug) { lastRun { id } runs { edges { node { id } } } } }`, { slug: 'with-runs' });
    expect(empty.scraper).toEqual({ lastRun: null, runs: { edges: [] } });

    const runIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      // One run at a time: each is cancelled before the next is triggered, but the last.
      if (i > 0) await server.admin.data(`mutation($jobId: ID!) { cancelRun(jobId: $jobId) { __typename } }`, { jobId: runIds.at(-1) });
      const { triggerRun } = await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, { id });
      runIds.push(triggerRun.data.id);
    }
    await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { __typename } }`, { id: String(other.scraperId) });

    const PAGE = `query($slug: String!, $after: String) {
      scraper(slug: $slug) { lastRun { id status } runs(first: 3, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`;
    const first = await server.admin.data(PAGE, { slug: 'with-runs' });
    expect(first.scraper.lastRun).toEqual({ id: runIds[4], status: 'QUEUED' });
    expect(first.scraper.runs.edges.map((e: any) => e.node.id)).toEqual([runIds[4], runIds[3], runIds[2]]);
    expect(first.scraper.runs.pageInfo.hasNextPage).toBe(true);
    const second = await server.admin.data(PAGE, { slug: 'with-runs', after: first.scraper.runs.pageInfo.endCursor });
    expect(second.scraper.runs.edges.map((e: any) => e.node.id)).toEqual([runIds[1], runIds[0]]);
    expect(second.scraper.runs.pageInfo.hasNextPage).toBe(false);
  });

  it('lets a viewer read scrapers and sources but not change them', async () => {
    const viewer = server.client({ token: (await seedToken(db.pool, 'VIEWER')).token });
    const read = await viewer.data(`{ scrapers { slug source { name } } sources { name } }`);
    expect(read.scrapers.length).toBeGreaterThan(0);
    expect(read.sources.length).toBeGreaterThan(0);
    const scrapers = await count('scraper');
    const denied = await viewer.request(CREATE, { input: newScraper('viewer-made') });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await count('scraper')).toBe(scrapers);
  });
});
