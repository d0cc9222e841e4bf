import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDefinition, registerDemoScrapers, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { collect } from '../helpers/graphql.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const CREATE_RUNNER = /* GraphQL */ `
  mutation($name: String!) { createRunner(name: $name) { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`;
const TRIGGER = /* GraphQL */ `
  mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id status } } } }`;
const RUN = /* GraphQL */ `
  query($id: ID!) { run(id: $id) { status productsFound productsProcessed flagsCreated errorType errorMessage lastSeq } }`;
const RUN_UPDATED = /* GraphQL */ `
  subscription($scraperId: ID) { runUpdated(scraperId: $scraperId) { id status } }`;
const JOB_LOGS = /* GraphQL */ `
  subscription($jobId: ID!) { jobLogs(jobId: $jobId) { lastSeq lines { seq level message } } }`;

const { db, server } = useTestServer();
let sites: FixtureSites;
let scrapers: Record<string, number>;
let runner: TestRunner;

beforeAll(async () => {
  sites = await startFixtureSites();
  scrapers = await registerDemoScrapers(db.url, sites);
  const created = await server.admin.data(CREATE_RUNNER, { name: 'runner-run-test' });
  runner = await startRunner({ apiUrl: server.httpUrl, apiKey: created.createRunner.data.apiKey });
});

afterAll(async () => {
  await runner?.stop();
  await sites?.stop();
});

type Line = { seq: number; level: string; message: string };

/** Triggers a run while watching its status and its lines live; resolves once the run ended and every line arrived. */
async function watchRun(scraperId: number) {
  const ws = server.admin.ws();
  const updates = collect(ws, RUN_UPDATED, { scraperId: String(scraperId) });
  // The status subscription must be live before the trigger, or QUEUED could pass unseen.
  await waitForSubscribers(server.port, 'runUpdated', 1);
  const triggered = await server.admin.data(TRIGGER, { id: String(scraperId) });
  const jobId: string = triggered.triggerRun.data.id;
  const logs = collect(ws, JOB_LOGS, { jobId });
  const statuses = () => updates.events.filter((e: any) => e.runUpdated.id === jobId).map((e: any) => e.runUpdated.status as string);
  await updates.waitFor(() => ['SUCCESS', 'WARNING', 'ERROR'].some((s) => statuses().includes(s)), 30_000);
  const run = (await server.admin.data(RUN, { id: jobId })).run;
  const lines = (): Line[] => logs.events.flatMap((e: any) => e.jobLogs.lines);
  await logs.waitFor(() => lines().length >= run.lastSeq, 10_000);
  updates.dispose();
  logs.dispose();
  await ws.dispose();
  return { jobId, run, queuedAs: triggered.triggerRun.data.status as string, statuses: [...new Set(statuses())], lines: lines() };
}

/** Waits until the server's /metrics counts `n` open subscriptions of a kind. */
async function waitForSubscribers(port: number, subscription: string, n: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const count = Number(text.match(new RegExp(`scrapedeck_subscribers\\{[^}]*subscription="${subscription}"[^}]*\\} (\\d+)`))?.[1] ?? 0);
    if (count >= n) return;
    if (Date.now() > deadline) throw new Error(`${subscription} subscribers stayed below ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const productsOf = async (scraperId: number) =>
  (
    await db.pool.query<{ sku: string; price: number | null; brand: string | null }>(
      `SELECT p.sku, p.price, p.brand FROM product p JOIN scraper s ON s.source_id = p.source_id WHERE s.id = $1 ORDER BY p.sku`,
      [scraperId],
    )
  ).rows;

describe('a runner process against the API and the demo sites', () => {
  it('takes a triggered run from QUEUED through RUNNING to SUCCESS, stores its products, and streams every line live', async () => {
    const { jobId, run, queuedAs, statuses, lines } = await watchRun(scrapers['green-leaf']!);
    expect(queuedAs).toBe('QUEUED');
    // runUpdated reads the run when it delivers, so a QUEUED that lasted a moment may already read RUNNING.
    expect([['QUEUED', 'RUNNING', 'SUCCESS'], ['RUNNING', 'SUCCESS']]).toContainEqual(statuses);
    expect(run).toMatchObject({ status: 'SUCCESS', productsFound: 15, productsProcessed: 15, flagsCreated: 0 });

    const products = await productsOf(scrapers['green-leaf']!);
    expect(products.map((p) => p.sku)).toEqual(Array.from({ length: 15 }, (_, i) => `GL-${String(i + 1).padStart(3, '0')}`));
    expect(products[0]).toMatchObject({ sku: 'GL-001', price: 35, brand: 'Cloud Nine' });

    // The subscriber got exactly the lines the runner logged, in the order it logged them.
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: lines.length }, (_, i) => i + 1));
    expect(lines.map((l) => ({ level: l.level, message: l.message }))).toEqual(runner.jobLines(jobId));
    const messages = lines.map((l) => l.message);
    expect(messages[0]).toMatch(new RegExp(`^Job ${jobId} started on runner`));
    expect(messages).toContain('Scraper config loaded: green-leaf (html, 1 listing URL(s))');
    expect(messages).toContain(`Job ${jobId}: 1 scraper (green-leaf), SKUs read from 1 listing URL(s)`);
    expect(messages).toContain('Scraper green-leaf started');
    expect(messages).toContain('SKU GL-001: found data (Blue Dream 3.5g, price 35)');
    expect(messages.at(-1)).toBe(`Job ${jobId} complete: 15 SKUs processed (15 with data, 0 without, 0 failed)`);
  });

  it('reads a JSON API through its pagination', async () => {
    const { run } = await watchRun(scrapers['sunset-api']!);
    expect(run).toMatchObject({ status: 'SUCCESS', productsFound: 10, productsProcessed: 10 });
    expect((await productsOf(scrapers['sunset-api']!)).find((p) => p.sku === 'SS-104')).toMatchObject({ price: 68, brand: 'Pacific Growers' });
  });

  it('runs a scraper made through the API, whose config leaves slug, name and source to the scraper', async () => {
    const stored = (await db.pool.query(`SELECT config FROM scraper WHERE id = $1`, [scrapers['green-leaf']])).rows[0].config;
    const { slug: _slug, name: _name, source, cron: _cron, ...config } = stored;
    const created = await server.admin.data(
      `mutation($input: CreateScraperInput!) { createScraper(input: $input) { __typename ... on MutationCreateScraperSuccess { data { id } } } }`,
      { input: { slug: 'green-leaf-api', name: 'Green Leaf via the API', source: { name: 'Green Leaf (API)', url: source.url }, config } },
    );
    expect(created.createScraper.__typename).toBe('MutationCreateScraperSuccess');
    const scraperId = Number(created.createScraper.data.id);
    const { run, lines } = await watchRun(scraperId);
    expect(run).toMatchObject({ status: 'SUCCESS', productsFound: 15, productsProcessed: 15 });
    expect(lines.map((l) => l.message)).toContain('Scraper config loaded: green-leaf-api (html, 1 listing URL(s))');
    expect(await productsOf(scraperId)).toHaveLength(15);
  });

  it('ends a run whose products the server flags as WARNING, with the flags stored', async () => {
    const { jobId, run, statuses } = await watchRun(scrapers['corner-store']!);
    expect(statuses.at(-1)).toBe('WARNING');
    expect(run.status).toBe('WARNING');
    expect(run.flagsCreated).toBeGreaterThan(0);
    const { rows: flags } = await db.pool.query<{ sku: string; kind: string }>(
      `SELECT p.sku, f.kind FROM flag f JOIN product p ON p.id = f.product_id WHERE f.run_id = $1 ORDER BY p.sku, f.kind`,
      [Number(jobId)],
    );
    expect(flags).toContainEqual({ sku: 'CS-6', kind: 'PRICE_OUTLIER' });
    expect(flags).toContainEqual({ sku: 'CS-2', kind: 'MISSING_FIELD' });
    expect(flags).toContainEqual({ sku: 'CS-7', kind: 'MISSING_FIELD' });
    expect(flags).toContainEqual({ sku: 'CS-8', kind: 'DUPLICATE' });
    expect(flags.length).toBe(run.flagsCreated);
  });

  it('logs no data, failed workflows and their error types per SKU, and ends as WARNING', async () => {
    const { run, lines } = await watchRun(scrapers['slow-farm']!);
    expect(run).toMatchObject({ status: 'WARNING', productsFound: 7, productsProcessed: 4, errorType: 'SKUS_FAILED' });
    expect(run.errorMessage).toMatch(/^2 of 7 SKUs failed/);
    const messages = lines.map((l) => `${l.level} ${l.message}`);
    expect(messages).toContain('INFO Job ' + messages[0]!.match(/Job (\d+)/)![1] + ': 1 scraper (slow-farm), 7 SKUs');
    expect(messages).toContain('WARNING SKU SF-404: no data (the source does not know it)');
    expect(messages).toContain('ERROR SKU SF-500: workflow failed');
    expect(messages.some((m) => m.startsWith('ERROR SKU SF-500: error type HTTP_ERROR, message: HTTP 500'))).toBe(true);
    expect(messages).toContain('ERROR SKU SF-SLOW: error type TIMEOUT, message: no answer within 1500 ms');
    expect(messages).toContain('INFO SKU SF-4: found data (Charlotte Web 3.5g, price 35)');
  });

  it('fails a run whose stored definition does not parse, naming the bad field in its log', async () => {
    const { scraperId } = await seedScraper(db.pool, {
      config: { slug: 'broken', name: 'Broken', source: { name: 'x', url: 'http://127.0.0.1/' }, format: 'html', urls: ['http://127.0.0.1/'], items: 'li', fields: { sku: 'a', name: 'b', price: 42 } },
    });
    const { run, lines } = await watchRun(scraperId);
    expect(run).toMatchObject({ status: 'ERROR', errorType: 'CONFIG_INVALID' });
    expect(run.errorMessage).toMatch(/fields\.price: /);
    expect(lines.find((l) => l.message.startsWith('Scraper config failed to parse'))).toMatchObject({ level: 'ERROR' });
  });

  it('fails a run whose site cannot be reached as a scraper that failed to initialise', async () => {
    const definition = {
      slug: 'nowhere',
      name: 'Nowhere',
      source: { name: 'Nowhere', url: 'http://127.0.0.1:9/' },
      format: 'html',
      urls: ['http://127.0.0.1:9/menu'],
      items: 'li',
      fields: { sku: { attr: 'id' }, name: '.name' },
      retries: 0,
      timeoutMs: 1000,
    };
    const { scraperId } = await seedScraper(db.pool, { config: definition });
    const { run, lines } = await watchRun(scraperId);
    expect(run).toMatchObject({ status: 'ERROR', errorType: 'INIT_FAILED' });
    const failed = lines.find((l) => l.message.includes('failed to initialise'));
    expect(failed).toMatchObject({ level: 'CRITICAL' });
    expect(failed!.message).toMatch(/NETWORK_ERROR/);
  });

  it('stops a run an admin cancels, keeps the lines stored before, and drops the rest with one warning that counts them', async () => {
    const { scraperId } = await seedScraper(db.pool, { config: labDefinition(sites, { slug: 'cancel-lab', count: 200, delayMs: 50 }) });
    const jobId: string = (await server.admin.data(TRIGGER, { id: String(scraperId) })).triggerRun.data.id;
    await runner.waitForOutput(() => runner.jobLines(jobId).some((l) => l.message.startsWith('SKU LAB-0005: found data')));
    await server.admin.data(`mutation($id: ID!) { cancelRun(jobId: $id) { __typename } }`, { id: jobId });
    // Told by its next heartbeat or its next refused batch, whichever comes first.
    await runner.waitForOutput((out) => out.some((l) => l.jobId === jobId && l.msg === 'job stopped: the run ended on the server'), 15_000);
    expect(runner.jobLines(jobId).some((l) => l.message.startsWith('Job cancelled: stopped after'))).toBe(true);
    expect((await server.admin.data(RUN, { id: jobId })).run.status).toBe('CANCELLED');

    const { rows } = await db.pool.query<{ level: string; message: string }>(`SELECT level, message FROM log_line WHERE run_id = $1 ORDER BY seq`, [Number(jobId)]);
    const logged = runner.jobLines(jobId);
    // What was stored is what the runner logged up to the cancel, in order; nothing after it.
    expect(rows).toEqual(logged.slice(0, rows.length));
    expect(rows.length).toBeLessThan(logged.length);
    expect(rows.filter((l) => l.message.startsWith('SKU ')).length).toBeLessThan(200);
    const warnings = runner.output.filter((l) => l.jobId === jobId && /dropped \d+ unsent log lines/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ status: 'CANCELLED', lines: logged.length - rows.length });
  });

  it('on SIGTERM lets the run in progress finish, reports it, sends every line and exits', async () => {
    const { scraperId } = await seedScraper(db.pool, { config: labDefinition(sites, { slug: 'sigterm-lab', count: 30, delayMs: 50 }) });
    const jobId: string = (await server.admin.data(TRIGGER, { id: String(scraperId) })).triggerRun.data.id;
    await runner.waitForOutput(() => runner.jobLines(jobId).some((l) => l.message.startsWith('SKU LAB-0003: found data')));
    expect(await runner.stop()).toBe(0);
    const { run } = await server.admin.data(RUN, { id: jobId });
    expect(run).toMatchObject({ status: 'SUCCESS', productsProcessed: 30 });
    const { rows } = await db.pool.query<{ level: string; message: string }>(`SELECT level, message FROM log_line WHERE run_id = $1 ORDER BY seq`, [Number(jobId)]);
    expect(rows).toEqual(runner.jobLines(jobId));
    expect(rows.at(-1)!.message).toBe(`Job ${jobId} complete: 30 SKUs processed (30 with data, 0 without, 0 failed)`);
  });
});
