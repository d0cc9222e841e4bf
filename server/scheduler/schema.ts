/** The scheduler's GraphQL surface: `schedulerStatus`, the ticks it records, and `cronPreview` of a schedule not yet saved. */
import { SchedulerTickOutcome } from '../db/generated/prisma/enums.ts';
import { InputValidationError } from '@pothos/plugin-validation';
import { z } from 'zod';
import { builder } from '../graphql/builder.ts';
import { cron as cronRule, timezone as timezoneRule } from '../scrapers/inputRules.ts';
import { nextFireTimes } from './cronSchedule.ts';
import { MissedRunPolicyEnum, ScraperRef } from '../scrapers/schema.ts';
import { MAX_MISSED_RECORDED } from './decideTick.ts';
import { MISSED_TICKS_SHOWN, scraperSchedules, type ScraperScheduleStatus } from './schedulerStatus.ts';
import { TICK_RETENTION_DAYS } from './sql/recordTick.ts';

const SchedulerTickOutcomeEnum = builder.enumType(SchedulerTickOutcome, {
  name: 'SchedulerTickOutcome',
  description: 'What the scheduler did at a fire time.',
  values: {
    QUEUED: { description: 'A run was queued.' },
    SKIPPED_OVERLAP: { description: 'A run of the scraper was still queued or running, so none was queued.' },
    SKIPPED_MISSED: {
      description:
        'Nothing ran at this fire time: it passed while no scheduler ran and the missed-run policy is SKIP, or a later fire time ' +
        'of the same gap was dealt with instead (at most one run per gap).',
    },
  },
});

const SchedulerTickRef = builder.prismaObject('SchedulerTick', {
  description: 'One fire time of a scraper schedule and its outcome.',
  fields: (t) => ({
    id: t.exposeID('id'),
    fireAt: t.expose('fireAt', { type: 'DateTime', description: 'The fire time the cron expression named.' }),
    outcome: t.expose('outcome', { type: SchedulerTickOutcomeEnum }),
    caughtUp: t.exposeBoolean('caughtUp', { description: 'The fire time passed during downtime and was dealt with afterwards.' }),
    run: t.relation('run', { nullable: true, description: 'The run the tick queued.' }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
  }),
});

const ScraperScheduleRef = builder.objectRef<ScraperScheduleStatus>('ScraperSchedule').implement({
  description: "One scraper's schedule as the scheduler sees it.",
  fields: (t) => ({
    scraper: t.field({ type: ScraperRef, resolve: (s) => s.scraper }),
    cron: t.string({ nullable: true, resolve: (s) => s.scraper.cron }),
    timezone: t.string({ resolve: (s) => s.scraper.timezone }),
    paused: t.boolean({ resolve: (s) => s.scraper.paused }),
    enabled: t.boolean({ resolve: (s) => s.scraper.enabled }),
    missedRunPolicy: t.field({ type: MissedRunPolicyEnum, resolve: (s) => s.scraper.missedRunPolicy }),
    maxRetries: t.int({ resolve: (s) => s.scraper.maxRetries }),
    nextFireTimes: t.field({
      type: ['DateTime'],
      description: 'The next 3 fire times; empty without a cron expression, or while paused or disabled.',
      resolve: (s) => s.nextFireTimes,
    }),
    lastTick: t.field({ type: SchedulerTickRef, nullable: true, resolve: (s) => s.lastTick }),
    missedCount: t.int({
      description: `Fire times that ran nothing because no scheduler reached them in time (downtime, or a pass that came late), in the ${TICK_RETENTION_DAYS} days of tick history kept.`,
      resolve: (s) => s.missed.count,
    }),
    missedTicks: t.field({
      type: [SchedulerTickRef],
      description: `The newest of those missed fire times (at most ${MISSED_TICKS_SHOWN}), newest first; each is a SKIPPED_MISSED tick. A pass records at most ${MAX_MISSED_RECORDED} of one gap.`,
      resolve: (s) => s.missed.newest,
    }),
  }),
});

const SchedulerStatusRef = builder.objectRef<{ running: boolean; scrapers: ScraperScheduleStatus[] }>('SchedulerStatus').implement({
  description: 'Whether this server instance runs the scheduler, and every scraper schedule.',
  fields: (t) => ({
    running: t.exposeBoolean('running', { description: 'This instance takes part in scheduling (any running instance fires ticks).' }),
    scrapers: t.field({ type: [ScraperScheduleRef], resolve: (s) => s.scrapers }),
  }),
});

builder.queryField('schedulerStatus', (t) =>
  t.field({
    type: SchedulerStatusRef,
    authScopes: { viewer: true },
    resolve: async (_root, _args, ctx) => {
      const now = ctx.scheduler?.now() ?? new Date();
      return { running: ctx.scheduler?.running ?? false, scrapers: await scraperSchedules(ctx.db, now) };
    },
  }),
);

const MAX_PREVIEW = 20;

const CronPreviewRef = builder.objectRef<{ nextFireTimes: Date[] }>('CronPreview').implement({
  description: 'When a schedule would fire, worked out without saving it.',
  fields: (t) => ({ nextFireTimes: t.field({ type: ['DateTime'], resolve: (p) => p.nextFireTimes }) }),
});

const cronPreviewRule = z.object({
  cron: cronRule,
  timezone: timezoneRule,
  count: z.number().int().min(1, 'must be at least 1').max(MAX_PREVIEW, `must be at most ${MAX_PREVIEW}`),
});

builder.queryField('cronPreview', (t) =>
  t.field({
    type: CronPreviewRef,
    description:
      'The next fire times of a cron expression (five fields, or @yearly @annually @monthly @weekly @daily @midnight @hourly) read in an IANA time zone, ' +
      `as createScraper and updateScraper would schedule it; count 1 to ${MAX_PREVIEW}. ValidationError names the argument at fault and what is wrong with it.`,
    authScopes: { viewer: true },
    errors: { types: [InputValidationError], union: { name: 'CronPreviewResult' }, directResult: true },
    args: {
      cron: t.arg.string({ required: true }),
      timezone: t.arg.string({ required: true }),
      count: t.arg.int({ required: false, defaultValue: 5 }),
    },
    validate: cronPreviewRule,
    resolve: (_root, args, ctx) => ({ nextFireTimes: nextFireTimes(args.cron, args.timezone, ctx.scheduler?.now() ?? new Date(), args.count ?? 5) }),
  }),
);
