import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDemoScrapers, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const CREATE_RUNNER = /* GraphQL */ `
  mutation($name: String!) { createRunner(name: $name) { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`;
const TRIGGER = /* GraphQL */ `
  mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`;
const RUN = /* GraphQL */ `
  query($id: ID!) {
    run(id: $id) { status productsFound expectedProducts publication completedAt warnings { reason expected actual } scraper { source { id } } }
  }`;
const FRESHNESS = /* GraphQL */ `query($id: ID) { freshness(sourceId: $id) { lastDeliveredAt status } }`;
const HEALTH = /* GraphQL */ `query { health { scraper { slug } state latestWarnings { reason expected actual } } }`;

const { db, server } = useTestServer();
let sites: FixtureSites;
let greenLeaf: number;
let runner: TestRunner;

beforeAll(async () => {
  sites = await startFixtureSites();
  greenLeaf = (await registerDemoScrapers(db.url, sites))['green-leaf']!;
  const created = await server.admin.data(CREATE_RUNNER, { name: 'markup-change-test' });
  runner = await startRunner({ apiUrl: server.httpUrl, apiKey: created.createRunner.data.apiKey });
});

afterAll(async () => {
  await runner?.stop();
  await sites?.stop();
});

/** Triggers a run of Green Leaf and waits for the real runner to end it. */
async function scrapeGreenLeaf() {
  const id: string = (await server.admin.data(TRIGGER, { id: String(greenLeaf) })).triggerRun.data.id;
  let run: any;
  await waitUntil(async () => {
    run = (await server.admin.data(RUN, { id })).run;
    return ['SUCCESS', 'WARNING', 'ERROR'].includes(run.status);
  }, `run ${id} to end`, 30_000);
  return run;
}

describe('a shop that changes its markup under its scraper', () => {
  it('ends the run WARNING with VOLUME_DROP and leaves the source no fresher', async () => {
    const good = [];
    for (let i = 0; i < 3; i++) good.push(await scrapeGreenLeaf());
    expect(good.map((r) => [r.status, r.productsFound, r.publication])).toEqual(Array(3).fill(['SUCCESS', 15, 'PUBLISHED']));
    const sourceId = good[0].scraper.source.id;
    const before = (await server.admin.data(FRESHNESS, { id: sourceId })).freshness[0];
    expect(before).toEqual({ lastDeliveredAt: good[2].completedAt, status: 'FRESH' });

    // The selector li.product now matches nothing: the scrape itself succeeds, and finds no products.
    sites.setGreenLeafMarkup('cards');
    const broken = await scrapeGreenLeaf();
    expect(broken).toMatchObject({
      status: 'WARNING',
      productsFound: 0,
      expectedProducts: 15,
      publication: 'NONE',
      warnings: [{ reason: 'VOLUME_DROP', expected: 15, actual: 0 }],
    });
    expect((await server.admin.data(FRESHNESS, { id: sourceId })).freshness[0]).toEqual(before);
    const { health } = await server.admin.data(HEALTH);
    expect(health.find((h: any) => h.scraper.slug === 'green-leaf')).toMatchObject({
      state: 'DEGRADED',
      latestWarnings: [{ reason: 'VOLUME_DROP', expected: 15, actual: 0 }],
    });

    sites.setGreenLeafMarkup('list');
    const recovered = await scrapeGreenLeaf();
    expect(recovered).toMatchObject({ status: 'SUCCESS', productsFound: 15, warnings: [] });
    expect((await server.admin.data(FRESHNESS, { id: sourceId })).freshness[0].lastDeliveredAt).toBe(recovered.completedAt);
  });
});
