/** cronPreview evaluates a schedule without saving it, and createScraper and updateScraper refuse what it refuses, with the same words. */
import { describe, expect, it } from 'vitest';
import { seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const PREVIEW = /* GraphQL */ `
  query Preview($cron: String!, $timezone: String!, $count: Int) {
    cronPreview(cron: $cron, timezone: $timezone, count: $count) {
      __typename
      ... on CronPreview { nextFireTimes }
      ... on ValidationError { issues { path message } }
    }
  }`;

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateScraperInput!) {
    createScraper(input: $input) { __typename ... on MutationCreateScraperSuccess { data { cron } } ... on ValidationError { issues { path message } } }
  }`;

const UPDATE = /* GraphQL */ `
  mutation Update($id: ID!, $input: UpdateScraperInput!) {
    updateScraper(id: $id, input: $input) { __typename ... on MutationUpdateScraperSuccess { data { cron } } ... on ValidationError { issues { path message } } }
  }`;

const { db, server } = useTestServer();

const REFUSED: [string, string][] = [
  ['61 * * * *', 'minute: 61 is out of range 0–59'],
  ['0 0 31 2 *', 'day-of-month 31 never occurs in February: this schedule never fires'],
  ['0 0 * *', 'expected 5 fields: minute hour day-of-month month day-of-week; got 4'],
  ['@reboot', '@reboot is not a schedule the scheduler runs; use five fields or one of @yearly @annually @monthly @weekly @daily @midnight @hourly'],
];

const newScraper = (slug: string, cron: string) => ({
  slug,
  name: `Scraper ${slug}`,
  source: { name: `${slug} shop`, url: `https://${slug}.example.test/menu` },
  cron,
  config: { format: 'html', urls: [`https://${slug}.example.test/menu`], items: '.product', fields: { sku: { attr: 'data-sku' }, name: '.name', price: '.price' } },
});

describe('cronPreview', () => {
  it('lists the next fire times of a macro, hour after hour', async () => {
    const { cronPreview } = await server.admin.data(PREVIEW, { cron: '@hourly', timezone: 'UTC' });
    expect(cronPreview.__typename).toBe('CronPreview');
    const times = cronPreview.nextFireTimes.map((t: string) => new Date(t).getTime());
    expect(times).toHaveLength(5);
    expect(new Date(times[0]).getUTCMinutes()).toBe(0);
    expect(times[0]).toBeGreaterThan(Date.now());
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(3_600_000);
  });

  it('reads the hours in the time zone given', async () => {
    const berlin = await server.admin.data(PREVIEW, { cron: '0 9 * * *', timezone: 'Europe/Berlin', count: 2 });
    const tokyo = await server.admin.data(PREVIEW, { cron: '0 9 * * *', timezone: 'Asia/Tokyo', count: 2 });
    const hourIn = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(new Date(iso));
    expect(berlin.cronPreview.nextFireTimes.map((t: string) => hourIn(t, 'Europe/Berlin'))).toEqual(['09', '09']);
    expect(tokyo.cronPreview.nextFireTimes.map((t: string) => hourIn(t, 'Asia/Tokyo'))).toEqual(['09', '09']);
    expect(berlin.cronPreview.nextFireTimes[0]).not.toBe(tokyo.cronPreview.nextFireTimes[0]);
  });

  it.each(REFUSED)('refuses %s, naming the cron argument and what is wrong', async (cron, message) => {
    const { cronPreview } = await server.admin.data(PREVIEW, { cron, timezone: 'UTC' });
    expect(cronPreview).toEqual({ __typename: 'ValidationError', issues: [{ path: 'cron', message }] });
  });

  it('refuses a time zone that is not IANA and a count out of range, each at its argument', async () => {
    const { cronPreview } = await server.admin.data(PREVIEW, { cron: '@daily', timezone: '+01:00', count: 0 });
    expect(cronPreview.issues.map((i: { path: string }) => i.path).sort()).toEqual(['count', 'timezone']);
  });

  it('saves nothing', async () => {
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM scraper')).rows[0].n;
    await server.admin.data(PREVIEW, { cron: '@weekly', timezone: 'UTC' });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM scraper')).rows[0].n).toBe(before);
  });
});

describe('createScraper and updateScraper', () => {
  it.each(REFUSED)('refuse %s with the words cronPreview uses', async (cron, message) => {
    const slug = `cron-${Math.abs(cron.split('').reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7))}`;
    const created = await server.admin.data(CREATE, { input: newScraper(slug, cron) });
    expect(created.createScraper).toEqual({ __typename: 'ValidationError', issues: [{ path: 'input.cron', message }] });

    const seeded = await seedScraper(db.pool, { slug: `${slug}-seeded`, cron: '0 * * * *' });
    const updated = await server.admin.data(UPDATE, { id: String(seeded.scraperId), input: { cron } });
    expect(updated.updateScraper).toEqual({ __typename: 'ValidationError', issues: [{ path: 'input.cron', message }] });
    expect((await db.pool.query('SELECT cron FROM scraper WHERE id = $1', [seeded.scraperId])).rows[0].cron).toBe('0 * * * *');
  });

  it('save a macro as written, which the scheduler then runs', async () => {
    const created = await server.admin.data(CREATE, { input: newScraper('hourly-macro', '@hourly') });
    expect(created.createScraper).toEqual({ __typename: 'MutationCreateScraperSuccess', data: { cron: '@hourly' } });
    const { schedulerStatus } = await server.admin.data(`{ schedulerStatus { scrapers { cron nextFireTimes } } }`);
    const hourly = schedulerStatus.scrapers.find((s: { cron: string }) => s.cron === '@hourly');
    expect(hourly.nextFireTimes).toHaveLength(3);
    expect(new Date(hourly.nextFireTimes[1]).getTime() - new Date(hourly.nextFireTimes[0]).getTime()).toBe(3_600_000);
  });
});
