/** Health: how each scraper's runs went over the last days (rates, durations, latest runs). */
import { z } from 'zod';
import type { Run, Scraper } from '../db/generated/prisma/client.ts';
import { builder } from '../graphql/builder.ts';
import { RunRef, RunStatusEnum } from '../runs/schema.ts';
import { ScraperRef } from '../scrapers/schema.ts';
import { scraperHealth, type ScraperHealthRow } from './sql/scraperHealth.ts';

const MAX_HEALTH_DAYS = 90;

type ScraperHealth = ScraperHealthRow & { scraper: Scraper; lastRun: Run | null };
type StatusCount = { status: 'QUEUED' | 'RUNNING' | 'SUCCESS' | 'WARNING' | 'ERROR' | 'CANCELLED'; count: number };

const RunStatusCount = builder.objectRef<StatusCount>('RunStatusCount').implement({
  fields: (t) => ({
    status: t.expose('status', { type: RunStatusEnum }),
    count: t.exposeInt('count'),
  }),
});

const ScraperHealthRef = builder.objectRef<ScraperHealth>('ScraperHealth').implement({
  description: "A scraper's runs over the requested window (runs count by the time they were queued).",
  fields: (t) => ({
    scraper: t.field({ type: ScraperRef, resolve: (h) => h.scraper }),
    runCount: t.exposeInt('runCount', { description: 'Runs queued in the window, whatever their state.' }),
    finishedCount: t.exposeInt('finishedCount', { description: 'Runs in the window that ended: SUCCESS, WARNING, ERROR or CANCELLED.' }),
    successRate: t.float({
      nullable: true,
      description: 'SUCCESS and WARNING runs over finished runs, 0..1; null when no run finished in the window.',
      resolve: (h) => (h.finishedCount === 0 ? null : h.succeededCount / h.finishedCount),
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
      description: 'When the latest SUCCESS or WARNING run completed, inside the window or not.',
    }),
  }),
});

builder.queryFields((t) => ({
  health: t.field({
    type: [ScraperHealthRef],
    description: `Run statistics per scraper over the last \`days\` days (1..${MAX_HEALTH_DAYS}).`,
    authScopes: { viewer: true },
    args: {
      days: t.arg.int({
        required: false,
        defaultValue: 7,
        validate: z.number().int().min(1, 'days must be at least 1').max(MAX_HEALTH_DAYS, `days must be at most ${MAX_HEALTH_DAYS}`).nullish(),
      }),
    },
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
