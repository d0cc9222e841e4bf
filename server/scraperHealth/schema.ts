/** Health: how each scraper's runs went over the last days (rates, states, durations, latest runs), and the fleet by state. */
import { z } from 'zod';
import type { Run, Scraper } from '../db/generated/prisma/client.ts';
import { builder } from '../graphql/builder.ts';
import { RunRef, RunStatusEnum } from '../runs/schema.ts';
import { RunWarningRef } from '../runVerdict/schema.ts';
import { ScraperRef } from '../scrapers/schema.ts';
import { DEGRADED_BELOW, FAILING_ERROR_SHARE, healthState, successRate, type HealthState } from './healthState.ts';
import { scraperHealth, type ScraperHealthRow } from './sql/scraperHealth.ts';

const MAX_HEALTH_DAYS = 90;

type ScraperHealth = ScraperHealthRow & { scraper: Scraper; lastRun: Run | null };
type StatusCount = { status: 'QUEUED' | 'RUNNING' | 'SUCCESS' | 'WARNING' | 'ERROR' | 'CANCELLED'; count: number };

const percent = (rate: number) => `${rate * 100}%`;

const HealthStateEnum = builder.enumType('HealthState', {
  description:
    "A scraper's state over the health window, judged by the runs in it that ended SUCCESS, WARNING or ERROR " +
    '(a cancelled run judges nothing; only SUCCESS counts as success). The first that applies wins.',
  values: {
    NO_DATA: { description: 'No run ended SUCCESS, WARNING or ERROR in the window.' },
    FAILING: { description: `The latest of those runs ended ERROR, or at least ${percent(FAILING_ERROR_SHARE)} of them did.` },
    DEGRADED: { description: `The latest of those runs ended WARNING, or fewer than ${percent(DEGRADED_BELOW)} of them ended SUCCESS.` },
    HEALTHY: { description: `The latest of those runs ended SUCCESS, and at least ${percent(DEGRADED_BELOW)} of them did.` },
  } satisfies Record<HealthState, { description: string }>,
});

const healthWindow = {
  required: false,
  defaultValue: 7,
  validate: z.number().int().min(1, 'days must be at least 1').max(MAX_HEALTH_DAYS, `days must be at most ${MAX_HEALTH_DAYS}`).nullish(),
} as const;

const RunStatusCount = builder.objectRef<StatusCount>('RunStatusCount').implement({
  fields: (t) => ({
    status: t.expose('status', { type: RunStatusEnum }),
    count: t.exposeInt('count'),
  }),
});

export const ScraperHealthRef = builder.objectRef<ScraperHealth>('ScraperHealth').implement({
  description: "A scraper's runs over the requested window (runs count by the time they were queued).",
  fields: (t) => ({
    scraper: t.field({ type: ScraperRef, resolve: (h) => h.scraper }),
    runCount: t.exposeInt('runCount', { description: 'Runs queued in the window, whatever their state.' }),
    finishedCount: t.exposeInt('finishedCount', { description: 'Runs in the window that ended: SUCCESS, WARNING, ERROR or CANCELLED.' }),
    successRate: t.float({
      nullable: true,
      description:
        'SUCCESS runs over the runs that ended SUCCESS, WARNING or ERROR in the window, 0..1 (a WARNING is not a success; ' +
        'cancelled runs do not count); null when none ended.',
      resolve: (h) => successRate(h),
    }),
    state: t.field({ type: HealthStateEnum, description: 'See HealthState for the thresholds.', resolve: (h) => healthState(h) }),
    latestWarnings: t.field({
      type: [RunWarningRef],
      description: 'Why the latest run that ended in the window is WARNING (empty when it is not, or when none ended).',
      resolve: (h) => h.latestEndedWarnings,
    }),
    averageDurationSeconds: t.exposeFloat('averageDurationSeconds', { nullable: true }),
    p95DurationSeconds: t.exposeFloat('p95DurationSeconds', {
      nullable: true,
      description: 'The 95th percentile of run durations, interpolated between neighbouring runs (percentile_cont).',
    }),
    runsByStatus: t.field({
      type: [RunStatusCount],
      description: 'Every run status with its count in the window, zeros included.',
      resolve: (h): StatusCount[] => [
        { status: 'QUEUED', count: h.queued },
        { status: 'RUNNING', count: h.running },
        { status: 'SUCCESS', count: h.success },
        { status: 'WARNING', count: h.warning },
        { status: 'ERROR', count: h.error },
        { status: 'CANCELLED', count: h.cancelled },
      ],
    }),
    lastRun: t.field({ type: RunRef, nullable: true, description: 'The latest run ever queued, inside the window or not.', resolve: (h) => h.lastRun }),
    lastSuccessAt: t.expose('lastSuccessAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the latest SUCCESS run completed, inside the window or not (a WARNING run is not a success).',
    }),
  }),
});

const HealthOverviewRef = builder.objectRef<Record<'total' | 'healthy' | 'degraded' | 'failing' | 'noData', number>>('HealthOverview').implement({
  description: 'How many scrapers are in each HealthState over the window.',
  fields: (t) => ({
    total: t.exposeInt('total'),
    healthy: t.exposeInt('healthy'),
    degraded: t.exposeInt('degraded'),
    failing: t.exposeInt('failing'),
    noData: t.exposeInt('noData'),
  }),
});

builder.queryFields((t) => ({
  healthOverview: t.field({
    type: HealthOverviewRef,
    description: `Scrapers counted by HealthState over the last \`days\` days (1..${MAX_HEALTH_DAYS}).`,
    authScopes: { viewer: true },
    args: { days: t.arg.int(healthWindow) },
    resolve: async (_root, { days }, ctx) => {
      const states = (await scraperHealth(ctx.db.pool, days ?? 7)).map(healthState);
      const count = (state: HealthState) => states.filter((s) => s === state).length;
      return { total: states.length, healthy: count('HEALTHY'), degraded: count('DEGRADED'), failing: count('FAILING'), noData: count('NO_DATA') };
    },
  }),
  health: t.field({
    type: [ScraperHealthRef],
    description: `Run statistics per scraper over the last \`days\` days (1..${MAX_HEALTH_DAYS}).`,
    authScopes: { viewer: true },
    args: { days: t.arg.int(healthWindow) },
    resolve: async (_root, { days }, ctx) => {
      const rows = await scraperHealth(ctx.db.pool, days ?? 7);
      const runIds = rows.flatMap((r) => (r.lastRunId === null ? [] : [r.lastRunId]));
      const [scrapers, runs] = await Promise.all([
        ctx.db.prisma.scraper.findMany({ where: { id: { in: rows.map((r) => r.scraperId) } } }),
        ctx.db.prisma.run.findMany({ where: { id: { in: runIds } } }),
      ]);
      const scraperById = new Map(scrapers.map((s) => [s.id, s]));
      const runById = new Map(runs.map((r) => [r.id, r]));
      // A scraper deleted between the two reads is left out rather than shown half.
      return rows.flatMap((row) => {
        const scraper = scraperById.get(row.scraperId);
        return scraper ? [{ ...row, scraper, lastRun: row.lastRunId === null ? null : (runById.get(row.lastRunId) ?? null) }] : [];
      });
    },
  }),
}));
