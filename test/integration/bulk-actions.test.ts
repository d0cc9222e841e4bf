import { beforeAll, describe, expect, it } from 'vitest';
import { insertRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const ITEM = /* GraphQL */ `
  error {
    __typename message
    ... on NotFoundError { entity id }
    ... on RunInProgressError { scraperId activeRun { id status } }
    ... on ScraperDisabledError { scraperId }
    ... on RunStateError { runId status }
    ... on RunAlreadyRetriedError { runId retry { id } }
  }`;

const RESULT_ERRORS = /* GraphQL */ `... on ValidationError { issues { path message } } ... on Error { message }`;

const PAUSE = `mutation($ids: [ID!]!) { pauseScrapers(ids: $ids) {
  __typename ... on MutationPauseScrapersSuccess { data { succeeded failed items { id scraper { id paused } ${ITEM} } } } ${RESULT_ERRORS} } }`;
const RESUME = `mutation($ids: [ID!]!) { resumeScrapers(ids: $ids) {
  __typename ... on MutationResumeScrapersSuccess { data { succeeded failed items { id scraper { id paused } ${ITEM} } } } ${RESULT_ERRORS} } }`;
const TRIGGER = `mutation($ids: [ID!]!, $ifActive: IfActive) { triggerRuns(scraperIds: $ids, ifActive: $ifActive) {
  __typename ... on MutationTriggerRunsSuccess { data { succeeded failed items { id run { id status triggeredBy scraper { id } } ${ITEM} } } } ${RESULT_ERRORS} } }`;
const RETRY = `mutation($ids: [ID!]!) { retryRuns(runIds: $ids) {
  __typename ... on MutationRetryRunsSuccess { data { succeeded failed items { id run { id status triggeredBy retryCount retryOf { id } scraper { id } } ${ITEM} } } } ${RESULT_ERRORS} } }`;

const { db, server } = useTestServer();

const one = async (sql: string, values: unknown[] = []) => (await db.pool.query(sql, values)).rows[0];
const scrapers = async (count: number, fields: { enabled?: boolean } = {}) => {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(String((await seedScraper(db.pool, fields)).scraperId));
  return ids;
};
const paused = async (ids: string[]) => (await db.pool.query(`SELECT id::text, paused FROM scraper WHERE id = ANY($1::int[]) ORDER BY id`, [ids])).rows;

let runnerId: number;
beforeAll(async () => {
  ({ runnerId } = await seedRunner(db.pool));
});

describe('pauseScrapers and resumeScrapers', () => {
  it('pauses every scraper named and reports the one that does not exist, without stopping the rest', async () => {
    const [a, b] = await scrapers(2);
    const { pauseScrapers } = await server.admin.data(PAUSE, { ids: [a, '999999', b, 'not-an-id'] });
    expect(pauseScrapers.data).toEqual({
      succeeded: 2,
      failed: 2,
      items: [
        { id: a, scraper: { id: a, paused: true }, error: null },
        { id: '999999', scraper: null, error: { __typename: 'NotFoundError', message: 'Scraper 999999 does not exist', entity: 'Scraper', id: '999999' } },
        { id: b, scraper: { id: b, paused: true }, error: null },
        { id: 'not-an-id', scraper: null, error: expect.objectContaining({ __typename: 'NotFoundError', entity: 'Scraper', id: 'not-an-id' }) },
      ],
    });
    expect(await paused([a!, b!])).toEqual([
      { id: a, paused: true },
      { id: b, paused: true },
    ]);
  });

  it('resumes scrapers with the schedule starting from now, as resumeScraper does', async () => {
    const [a, b] = await scrapers(2);
    await db.pool.query(`UPDATE scraper SET paused = true, scheduled_through = now() - interval '1 day' WHERE id = ANY($1::int[])`, [[a, b]]);
    const { resumeScrapers } = await server.admin.data(RESUME, { ids: [a, b] });
    expect(resumeScrapers.data.succeeded).toBe(2);
    expect(resumeScrapers.data.items.map((item: any) => item.scraper)).toEqual([
      { id: a, paused: false },
      { id: b, paused: false },
    ]);
    const { stale } = await one(`SELECT count(*)::int AS stale FROM scraper WHERE id = ANY($1::int[]) AND scheduled_through < now() - interval '1 minute'`, [[a, b]]);
    expect(stale).toBe(0);
  });

  it('answers an id named twice once', async () => {
    const [a] = await scrapers(1);
    const { pauseScrapers } = await server.admin.data(PAUSE, { ids: [a, a] });
    expect(pauseScrapers.data.items).toEqual([{ id: a, scraper: { id: a, paused: true }, error: null }]);
  });

  it('refuses more than 100 ids with a ValidationError and changes nothing', async () => {
    const ids = await scrapers(101);
    const { pauseScrapers } = await server.admin.data(PAUSE, { ids });
    expect(pauseScrapers.__typename).toBe('ValidationError');
    expect(pauseScrapers.issues).toEqual([{ path: 'ids', message: 'at most 100 ids at once' }]);
    expect((await paused(ids)).filter((s: any) => s.paused)).toEqual([]);
  });
});

describe('triggerRuns', () => {
  it('queues a run of each scraper, refusing the one already running and the disabled one', async () => {
    const [idle, busy] = await scrapers(2);
    const [disabled] = await scrapers(1, { enabled: false });
    const running = await insertRun(db.pool, { scraperId: Number(busy), status: 'RUNNING', runnerId });
    const { triggerRuns } = await server.admin.data(TRIGGER, { ids: [idle, busy, disabled] });
    const [queued, refused, off] = triggerRuns.data.items;
    expect(triggerRuns.data).toMatchObject({ succeeded: 1, failed: 2 });
    expect(queued).toMatchObject({ id: idle, run: { status: 'QUEUED', triggeredBy: 'MANUAL', scraper: { id: idle } }, error: null });
    expect(refused).toMatchObject({ id: busy, run: null, error: { __typename: 'RunInProgressError', scraperId: busy, activeRun: { id: String(running), status: 'RUNNING' } } });
    expect(off).toMatchObject({ id: disabled, run: null, error: { __typename: 'ScraperDisabledError', scraperId: disabled } });
    const { n } = await one(`SELECT count(*)::int AS n FROM run WHERE scraper_id = ANY($1::int[]) AND status = 'QUEUED'`, [[idle, busy, disabled]]);
    expect(n).toBe(1);
  });

  it('with ifActive QUEUE queues behind a running run, and refuses where a run is already waiting', async () => {
    const [busy] = await scrapers(1);
    await insertRun(db.pool, { scraperId: Number(busy), status: 'RUNNING', runnerId });
    const first = await server.admin.data(TRIGGER, { ids: [busy], ifActive: 'QUEUE' });
    expect(first.triggerRuns.data.items[0]).toMatchObject({ run: { status: 'QUEUED' }, error: null });
    const second = await server.admin.data(TRIGGER, { ids: [busy], ifActive: 'QUEUE' });
    expect(second.triggerRuns.data.items[0]).toMatchObject({
      run: null,
      error: { __typename: 'RunInProgressError', activeRun: { id: first.triggerRuns.data.items[0].run.id, status: 'QUEUED' } },
    });
  });
});

describe('retryRuns', () => {
  it('retries a failed run once, refuses a second retry naming the first, and refuses a run that did not fail', async () => {
    const [scraper] = await scrapers(1);
    const failed = await insertRun(db.pool, { scraperId: Number(scraper), status: 'ERROR', completedMinutesAgo: 2 });
    const succeeded = await insertRun(db.pool, { scraperId: Number(scraper), status: 'SUCCESS', completedMinutesAgo: 1 });
    const { retryRuns } = await server.admin.data(RETRY, { ids: [String(failed), String(succeeded)] });
    expect(retryRuns.data).toMatchObject({ succeeded: 1, failed: 1 });
    const [retried, refused] = retryRuns.data.items;
    expect(retried).toMatchObject({
      id: String(failed),
      run: { status: 'QUEUED', triggeredBy: 'MANUAL', retryCount: 1, retryOf: { id: String(failed) }, scraper: { id: scraper } },
      error: null,
    });
    expect(refused).toMatchObject({ id: String(succeeded), run: null, error: { __typename: 'RunStateError', runId: String(succeeded), status: 'SUCCESS' } });

    // The retry has not run yet: it still blocks nothing, as the run named already has its retry.
    const again = await server.admin.data(RETRY, { ids: [String(failed)] });
    expect(again.retryRuns.data.items[0]).toMatchObject({
      run: null,
      error: { __typename: 'RunAlreadyRetriedError', runId: String(failed), retry: { id: retried.run.id } },
    });
    const { n } = await one(`SELECT count(*)::int AS n FROM run WHERE retry_of_id = $1`, [failed]);
    expect(n).toBe(1);
  });

  it('applies the overlap rule and leaves cancelled runs alone', async () => {
    const [scraper] = await scrapers(1);
    const failed = await insertRun(db.pool, { scraperId: Number(scraper), status: 'ERROR', completedMinutesAgo: 5 });
    const cancelled = await insertRun(db.pool, { scraperId: Number(scraper), status: 'CANCELLED', completedMinutesAgo: 4 });
    const running = await insertRun(db.pool, { scraperId: Number(scraper), status: 'RUNNING', runnerId });
    const { retryRuns } = await server.admin.data(RETRY, { ids: [String(failed), String(cancelled), '2147483647'] });
    expect(retryRuns.data.items).toEqual([
      expect.objectContaining({ run: null, error: expect.objectContaining({ __typename: 'RunInProgressError', activeRun: { id: String(running), status: 'RUNNING' } }) }),
      expect.objectContaining({ run: null, error: expect.objectContaining({ __typename: 'RunStateError', status: 'CANCELLED' }) }),
      expect.objectContaining({ run: null, error: expect.objectContaining({ __typename: 'NotFoundError', entity: 'Run', id: '2147483647' }) }),
    ]);
    const { n } = await one(`SELECT count(*)::int AS n FROM run WHERE scraper_id = $1 AND status = 'QUEUED'`, [scraper]);
    expect(n).toBe(0);
  });
});
