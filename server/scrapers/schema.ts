/** Scrapers: what they scrape, their schedule, their run history, and making, changing and pausing them. */
import { z } from 'zod';
import type { Prisma } from '../db/generated/prisma/client.ts';
import { MissedRunPolicy } from '../db/generated/prisma/enums.ts';
import { builder } from '../graphql/builder.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../graphql/errors.ts';
import { parseId } from '../graphql/ids.ts';
import { RunRef } from '../runs/schema.ts';
import { SourceNameTakenError } from '../sources/errors.ts';
import { NewSourceInput } from '../sources/schema.ts';
import { SlugTakenError } from './errors.ts';
import * as rules from './inputRules.ts';
import { createScraper, setScraperPaused, updateScraper } from './scraperOperations.ts';
import { actOnEach, bulkIdsRule, errorValue, MAX_BULK_IDS, type BulkItem, type BulkResult } from '../graphql/bulkItems.ts';
import { setScrapersPaused } from './pauseScrapers.ts';

export const MissedRunPolicyEnum = builder.enumType(MissedRunPolicy, { name: 'MissedRunPolicy' });

const NEWEST_FIRST = [{ queuedAt: 'desc' }, { id: 'desc' }] satisfies Prisma.RunOrderByWithRelationInput[];

export const ScraperRef = builder.prismaObject('Scraper', {
  description: 'A scraper definition, its source and its schedule.',
  fields: (t) => ({
    id: t.exposeID('id'),
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    source: t.relation('source'),
    cron: t.exposeString('cron', { nullable: true, description: 'Cron schedule: five fields, or a macro such as @hourly; null runs only when triggered.' }),
    timezone: t.exposeString('timezone', { description: 'The IANA time zone the cron schedule is read in.' }),
    enabled: t.exposeBoolean('enabled', { description: 'A disabled scraper takes no runs at all.' }),
    paused: t.exposeBoolean('paused', { description: 'A paused scraper is skipped by the schedule but can be triggered.' }),
    config: t.expose('config', { type: 'JSON', description: 'The declarative scraper definition the runner executes.' }),
    maxRetries: t.exposeInt('maxRetries'),
    missedRunPolicy: t.expose('missedRunPolicy', { type: MissedRunPolicyEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    // A runner is given its run's scraper (definition and source), not the scraper's other runs.
    runs: t.relatedConnection('runs', {
      authScopes: { viewer: true },
      cursor: 'id',
      description: "The scraper's runs, newest first.",
      defaultSize: 20,
      maxSize: 200,
      query: { orderBy: NEWEST_FIRST },
    }),
    lastRun: t.field({
      type: RunRef,
      authScopes: { viewer: true },
      nullable: true,
      description: 'The newest run, whatever its status; null before the first.',
      select: (_args, _ctx, nestedSelection) => ({ runs: nestedSelection({ orderBy: NEWEST_FIRST, take: 1 }) }),
      resolve: (scraper) => scraper.runs[0] ?? null,
    }),
  }),
});

/** Its rules are applied as a whole where it is an argument (rules.createScraperInput): every problem at once. */
const CreateScraperInput = builder.inputType('CreateScraperInput', {
  description: 'A new scraper, reading either an existing source (sourceId) or a new one (source).',
  fields: (t) => ({
    slug: t.string({ required: true, description: 'Lowercase letters, digits and single dashes, 2 to 64 characters.' }),
    name: t.string({ required: true }),
    source: t.field({ type: NewSourceInput, required: false }),
    sourceId: t.id({ required: false }),
    cron: t.string({ required: false, description: 'Five fields (minute hour day-of-month month day-of-week) or @yearly @annually @monthly @weekly @daily @midnight @hourly; it must fire within 5 years.' }),
    timezone: t.string({ required: false, description: 'An IANA time zone; defaults to UTC.' }),
    enabled: t.boolean({ required: false, description: 'Defaults to true.' }),
    config: t.field({
      type: 'JSON',
      required: true,
      description:
        'The scraper definition (format, urls or skus, items, fields, …): a JSON object, or its text in YAML or JSON, of at most 256 KiB; ' +
        'stored as the object it describes. slug, name, source and cron come from the scraper.',
    }),
    maxRetries: t.int({ required: false, description: '0 to 10; defaults to 2.' }),
    missedRunPolicy: t.field({ type: MissedRunPolicyEnum, required: false, description: 'Defaults to RUN_ONCE.' }),
  }),
});

/** Its rules are applied as a whole where it is an argument (rules.updateScraperInput). */
const UpdateScraperInput = builder.inputType('UpdateScraperInput', {
  description: 'The fields to change; the ones left out keep their value. cron: null removes the schedule.',
  fields: (t) => ({
    slug: t.string({ required: false }),
    name: t.string({ required: false }),
    sourceId: t.id({ required: false }),
    cron: t.string({ required: false }),
    timezone: t.string({ required: false }),
    enabled: t.boolean({ required: false }),
    config: t.field({ type: 'JSON', required: false, description: 'As in CreateScraperInput: a JSON object, or YAML or JSON text.' }),
    maxRetries: t.int({ required: false }),
    missedRunPolicy: t.field({ type: MissedRunPolicyEnum, required: false }),
  }),
});

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

builder.queryFields((t) => ({
  scrapers: t.prismaField({
    type: ['Scraper'],
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) => ctx.db.prisma.scraper.findMany({ ...query, orderBy: { slug: 'asc' } }),
  }),
  scraper: t.prismaField({
    type: 'Scraper',
    nullable: true,
    authScopes: { viewer: true },
    args: { slug: t.arg.string({ required: true, validate: z.string().max(64) }) },
    resolve: (query, _root, { slug }, ctx) => ctx.db.prisma.scraper.findUnique({ ...query, where: { slug } }),
  }),
}));

builder.objectType(SlugTakenError, {
  name: 'SlugTakenError',
  description: 'Scraper slugs are unique; nothing was stored.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ slug: t.exposeString('slug') }),
});

builder.mutationFields((t) => ({
  createScraper: t.field({
    type: ScraperRef,
    description: 'Makes a scraper, and its source when one is given instead of a sourceId.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, SlugTakenError, SourceNameTakenError] },
    args: { input: t.arg({ type: CreateScraperInput, required: true, validate: rules.createScraperInput }) },
    resolve: (_root, { input }, ctx) =>
      createScraper(ctx.db, {
        slug: input.slug,
        name: input.name,
        source: orUndefined(input.source),
        sourceId: input.sourceId == null ? undefined : parseId(input.sourceId, 'Source'),
        cron: orUndefined(input.cron),
        timezone: orUndefined(input.timezone),
        enabled: orUndefined(input.enabled),
        config: input.config as Prisma.InputJsonObject,
        maxRetries: orUndefined(input.maxRetries),
        missedRunPolicy: orUndefined(input.missedRunPolicy),
      }),
  }),
  updateScraper: t.field({
    type: ScraperRef,
    description: 'Changes the fields given and keeps the rest.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, SlugTakenError] },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateScraperInput, required: true, validate: rules.updateScraperInput }) },
    resolve: (_root, { id, input }, ctx) =>
      updateScraper(ctx.db, parseId(id, 'Scraper'), {
        slug: orUndefined(input.slug),
        name: orUndefined(input.name),
        sourceId: input.sourceId == null ? undefined : parseId(input.sourceId, 'Source'),
        // null is meaningful here: it removes the schedule.
        cron: input.cron,
        timezone: orUndefined(input.timezone),
        enabled: orUndefined(input.enabled),
        config: orUndefined(input.config as Prisma.InputJsonObject | null | undefined),
        maxRetries: orUndefined(input.maxRetries),
        missedRunPolicy: orUndefined(input.missedRunPolicy),
      }),
  }),
  pauseScraper: t.field({
    type: ScraperRef,
    description: 'Stops the schedule from starting runs of the scraper; triggering by hand still works.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { scraperId: t.arg.id({ required: true }) },
    resolve: (_root, { scraperId }, ctx) => setScraperPaused(ctx.db, parseId(scraperId, 'Scraper'), true),
  }),
  resumeScraper: t.field({
    type: ScraperRef,
    description: 'Lets the schedule start runs of the scraper again.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { scraperId: t.arg.id({ required: true }) },
    resolve: (_root, { scraperId }, ctx) => setScraperPaused(ctx.db, parseId(scraperId, 'Scraper'), false),
  }),
}));

const BulkScraperItem = builder.objectRef<BulkItem>('BulkScraperItem').implement({
  description: 'The answer for one scraper of a bulk operation: done (scraper set, error null) or the typed reason it was not.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The id as asked.' }),
    scraper: t.prismaField({
      type: 'Scraper',
      nullable: true,
      description: 'The scraper as it is now; null when the operation failed for it.',
      resolve: (query, item, _args, ctx) => (item.doneId === null ? null : ctx.db.prisma.scraper.findUnique({ ...query, where: { id: item.doneId } })),
    }),
    error: t.field({ type: ErrorInterface, nullable: true, resolve: (item) => errorValue(item.error) }),
  }),
});

const BulkScrapersResult = builder.objectRef<BulkResult>('BulkScrapersResult').implement({
  description: 'One item per distinct id asked, in the order asked (an id named twice is acted on and answered once).',
  fields: (t) => ({
    items: t.field({ type: [BulkScraperItem], resolve: (result) => result.items }),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed'),
  }),
});

const BULK = `At most ${MAX_BULK_IDS} ids a call (more is a ValidationError, and nothing is done); each id is answered on its own: an id that names no scraper is that item's NotFoundError and the others proceed.`;

builder.mutationFields((t) => ({
  pauseScrapers: t.field({
    type: BulkScrapersResult,
    description: `Pauses each scraper as pauseScraper does. ${BULK}`,
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { ids: t.arg.idList({ required: true, validate: bulkIdsRule }) },
    resolve: (_root, { ids }, ctx) =>
      actOnEach(ids.map(String), 'Scraper', (parsed) => setScrapersPaused(ctx.db, parsed, true), (scraper) => scraper.id),
  }),
  resumeScrapers: t.field({
    type: BulkScrapersResult,
    description: `Resumes each scraper as resumeScraper does (its schedule starts from now). ${BULK}`,
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { ids: t.arg.idList({ required: true, validate: bulkIdsRule }) },
    resolve: (_root, { ids }, ctx) =>
      actOnEach(ids.map(String), 'Scraper', (parsed) => setScrapersPaused(ctx.db, parsed, false), (scraper) => scraper.id),
  }),
}));
