/** Trends: each scraper's runs and each source's products day by day, read from rollups kept as runs end. */
import { z } from 'zod';
import type { Scraper, Source } from '../db/generated/prisma/client.ts';
import { NotFoundError } from '../domainErrors.ts';
import { builder } from '../graphql/builder.ts';
import { parseId } from '../graphql/ids.ts';
import { ScraperRef } from '../scrapers/schema.ts';
import { SourceRef } from '../sources/schema.ts';
import { loadScraperTrends } from './scraperTrendsBatch.ts';
import { readScraperTrends } from './sql/readScraperTrends.ts';
import { readSourceTrends } from './sql/readSourceTrends.ts';
import { scraperTrendDay, sourceTrendDay, type ScraperTrendDay, type SourceTrendDay } from './trendDays.ts';

const MAX_TREND_DAYS = 90;

const trendWindow = (defaultValue: number) =>
  ({
    required: false,
    defaultValue,
    validate: z.number().int().min(1, 'days must be at least 1').max(MAX_TREND_DAYS, `days must be at most ${MAX_TREND_DAYS}`).nullish(),
  }) as const;

type ScraperTrends = { scraper: Scraper; timezone: string; days: ScraperTrendDay[] };
type SourceTrends = { source: Source; days: SourceTrendDay[] };

const ScraperTrendDayRef = builder.objectRef<ScraperTrendDay>('ScraperTrendDay').implement({
  description: "One day of a scraper's runs, counted by the day they ended in ScraperTrends.timezone.",
  fields: (t) => ({
    day: t.exposeString('day', { description: 'YYYY-MM-DD in ScraperTrends.timezone.' }),
    runs: t.exposeInt('runs', { description: 'Runs that ended that day: SUCCESS, WARNING, ERROR or CANCELLED.' }),
    succeeded: t.exposeInt('succeeded'),
    warned: t.exposeInt('warned'),
    failed: t.exposeInt('failed', { description: 'Runs that ended ERROR, lost runs included.' }),
    cancelled: t.exposeInt('cancelled'),
    successRate: t.exposeFloat('successRate', {
      nullable: true,
      description: 'succeeded / (succeeded + warned + failed), 0..1; null without such runs (cancelled runs judge nothing).',
    }),
    durationP50: t.exposeFloat('durationP50', {
      nullable: true,
      description: 'Median seconds of the runs that ended SUCCESS, WARNING or ERROR (percentile_cont); null without durations.',
    }),
    durationP95: t.exposeFloat('durationP95', { nullable: true, description: 'The 95th percentile of the same durations.' }),
    productsFound: t.exposeInt('productsFound', { description: "The sum of the day's runs' productsFound." }),
    warningLines: t.exposeInt('warningLines', { description: 'WARNING log lines of the day’s runs.' }),
    errorLines: t.exposeInt('errorLines', { description: 'ERROR and CRITICAL log lines of the day’s runs.' }),
  }),
});

const ScraperTrendsRef = builder.objectRef<ScraperTrends>('ScraperTrends').implement({
  description: "A scraper's runs day by day (see docs/trends.md).",
  fields: (t) => ({
    scraper: t.field({ type: ScraperRef, resolve: (trends) => trends.scraper }),
    timezone: t.exposeString('timezone', { description: "The IANA zone days are counted in: the scraper's schedule zone, UTC without a cron." }),
    days: t.field({
      type: [ScraperTrendDayRef],
      description: 'Oldest first, one per day of the window ending today, days without runs included (zeros and nulls).',
      resolve: (trends) => trends.days,
    }),
  }),
});

const FieldShareRef = builder.objectRef<SourceTrendDay['missing'][number]>('FieldShare').implement({
  description: "An optional field the run's definition scrapes and how many of its products lack it.",
  fields: (t) => ({
    field: t.exposeString('field'),
    count: t.exposeInt('count'),
    share: t.exposeFloat('share', { description: 'count / products, 0..1.' }),
  }),
});

const CategoryShareRef = builder.objectRef<SourceTrendDay['categories'][number]>('CategoryShare').implement({
  fields: (t) => ({
    category: t.exposeString('category'),
    count: t.exposeInt('count'),
    share: t.exposeFloat('share', { description: 'count over the products that have a category, 0..1.' }),
  }),
});

const CategoryDriftRef = builder.objectRef<SourceTrendDay['driftCategories'][number]>('CategoryDrift').implement({
  fields: (t) => ({
    category: t.exposeString('category'),
    share: t.exposeFloat('share', { description: 'Its share on the day.' }),
    trailingShare: t.exposeFloat('trailingShare', { description: 'Its share of the 7 days before, summed.' }),
    change: t.exposeFloat('change', { description: 'share − trailingShare.' }),
  }),
});

const SourceTrendDayRef = builder.objectRef<SourceTrendDay>('SourceTrendDay').implement({
  description: "One UTC day of a source's products, as the day's latest run completed with products delivered them.",
  fields: (t) => ({
    day: t.exposeString('day', { description: 'YYYY-MM-DD in UTC.' }),
    products: t.exposeInt('products', { description: "Products the day's latest ended run of the source delivered; 0 without one." }),
    missing: t.field({ type: [FieldShareRef], resolve: (d) => d.missing }),
    categories: t.field({ type: [CategoryShareRef], description: 'Largest first; products without a category are left out.', resolve: (d) => d.categories }),
    outliers: t.exposeInt('outliers', { description: 'Products priced outside their category’s fences (1.5 × IQR).' }),
    drift: t.exposeFloat('drift', {
      nullable: true,
      description:
        "Jensen–Shannon divergence (log base 2, 0..1) of the day's category distribution against the 7 days before it, summed; " +
        'null unless both have categorised products.',
    }),
    driftCategories: t.field({
      type: [CategoryDriftRef],
      description: 'The categories that moved most, largest |change| first (at most 5).',
      resolve: (d) => d.driftCategories,
    }),
  }),
});

const SourceTrendsRef = builder.objectRef<SourceTrends>('SourceTrends').implement({
  description: "A source's products day by day (see docs/trends.md).",
  fields: (t) => ({
    source: t.field({ type: SourceRef, resolve: (trends) => trends.source }),
    timezone: t.string({ description: 'The zone days are counted in: always UTC (a source has no schedule of its own).', resolve: () => 'UTC' }),
    days: t.field({ type: [SourceTrendDayRef], description: 'Oldest first, one per day of the window ending today.', resolve: (trends) => trends.days }),
  }),
});

const asTrends = (scraper: Scraper, rows: Awaited<ReturnType<typeof readScraperTrends>>): ScraperTrends => ({
  scraper,
  timezone: rows[0]?.timezone ?? (scraper.cron === null ? 'UTC' : scraper.timezone),
  days: rows.map(scraperTrendDay),
});

builder.objectField(ScraperRef, 'trends', (t) =>
  t.field({
    type: ScraperTrendsRef,
    authScopes: { viewer: true },
    description: `The scraper's last \`days\` days (1..${MAX_TREND_DAYS}), for sparklines; read for all scrapers of a request at once.`,
    args: { days: t.arg.int(trendWindow(7)) },
    resolve: async (scraper, { days }, ctx) => asTrends(scraper, await loadScraperTrends(ctx, ctx.db.pool, scraper.id, days ?? 7)),
  }),
);

builder.queryFields((t) => ({
  scraperTrends: t.field({
    type: ScraperTrendsRef,
    description: `A scraper's runs over the last \`days\` days (1..${MAX_TREND_DAYS}), today included, in its schedule zone.`,
    authScopes: { viewer: true },
    args: { scraperId: t.arg.id({ required: true }), days: t.arg.int(trendWindow(30)) },
    resolve: async (_root, { scraperId, days }, ctx) => {
      const scraper = await ctx.db.prisma.scraper.findUnique({ where: { id: parseId(scraperId, 'Scraper') } });
      if (!scraper) throw new NotFoundError('Scraper', String(scraperId));
      return asTrends(scraper, await readScraperTrends(ctx.db.pool, [scraper.id], days ?? 30));
    },
  }),
  sourceTrends: t.field({
    type: SourceTrendsRef,
    description: `A source's products over the last \`days\` UTC days (1..${MAX_TREND_DAYS}), today included.`,
    authScopes: { viewer: true },
    args: { sourceId: t.arg.id({ required: true }), days: t.arg.int(trendWindow(30)) },
    resolve: async (_root, { sourceId, days }, ctx) => {
      const source = await ctx.db.prisma.source.findUnique({ where: { id: parseId(sourceId, 'Source') } });
      if (!source) throw new NotFoundError('Source', String(sourceId));
      return { source, days: (await readSourceTrends(ctx.db.pool, source.id, days ?? 30)).map(sourceTrendDay) };
    },
  }),
}));
