/** Incidents: what alerting opened, their timeline, acknowledging them, and following them live. */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import type { Context } from '../../graphql/context.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseId } from '../../graphql/ids.ts';
import { ScraperHealthRef } from '../../scraperHealth/schema.ts';
import { acknowledgeIncident } from './acknowledgeIncident.ts';
import { IncidentResolvedError } from './errors.ts';
import type { IncidentUpdate } from './incidentUpdates.ts';

const MAX_INCIDENTS = 200;

const IncidentStatusEnum = builder.enumType('IncidentStatus', {
  values: {
    OPEN: { description: 'Firing; nobody has acknowledged it.' },
    ACKNOWLEDGED: { description: 'Still firing; an admin has said someone is on it. Recovery resolves it as it does an open one.' },
    RESOLVED: { description: 'The subject recovered (or the rule stopped watching it). The next failure opens a new incident.' },
  } as const,
});

const IncidentEventKindEnum = builder.enumType('IncidentEventKind', {
  values: {
    OPENED: { description: 'The incident opened; its channels were notified (unless snoozed).' },
    RECURRED: { description: 'The same failure again while open: counted, not notified.' },
    ACKNOWLEDGED: { description: 'An admin acknowledged it.' },
    RESOLVED: { description: 'It resolved; the channels told of its opening were told of this.' },
  } as const,
});

builder.prismaObject('IncidentEvent', {
  description: "One entry of an incident's timeline.",
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    kind: t.expose('kind', { type: IncidentEventKindEnum }),
    message: t.exposeString('message'),
    run: t.relation('run', { nullable: true, description: 'The run that caused it, if a run did.' }),
  }),
});

export const IncidentRef = builder.prismaObject('Incident', {
  description:
    'An alert, opened by a rule about one subject (a scraper, a source or a runner). While it is open, more of the same adds occurrences without a new notification; when the subject recovers it resolves, and one resolved notification is sent.',
  fields: (t) => ({
    id: t.exposeID('id'),
    rule: t.relation('rule'),
    status: t.expose('status', { type: IncidentStatusEnum }),
    title: t.exposeString('title'),
    reason: t.exposeString('reason', {
      description: 'A typed reason: RUN_ERROR, CONSECUTIVE_FAILURES, a run warning reason (VOLUME_DROP, FLAGS_RAISED, RUNNER_REPORTED), QUALITY_GATE, STALE, CRITICAL, EXPECTED_RUN_MISSING or RUNNER_OFFLINE.',
    }),
    detail: t.exposeString('detail', { description: 'What happened when it opened, with its figures.' }),
    scraper: t.relation('scraper', { nullable: true }),
    source: t.relation('source', { nullable: true }),
    runner: t.relation('runner', { nullable: true }),
    occurrences: t.exposeInt('occurrences', { description: 'How many times it happened while open, the opening included.' }),
    openedAt: t.expose('openedAt', { type: 'DateTime' }),
    lastEventAt: t.expose('lastEventAt', { type: 'DateTime' }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
    events: t.relation('events', { description: 'Its timeline, oldest first.', query: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } }),
  }),
});

export const IncidentUpdateRef = builder.objectRef<IncidentUpdate>('IncidentUpdate').implement({
  description: 'An incident that opened, recurred, was acknowledged or resolved, or one of its notifications whose delivery moved on.',
  fields: (t) => ({
    incident: t.prismaField({
      type: 'Incident',
      nullable: true,
      resolve: (query, update, _args, ctx) => (update.incidentId === null ? null : ctx.db.prisma.incident.findUnique({ ...query, where: { id: update.incidentId } })),
    }),
  }),
});

const IncidentStatusList = z.array(z.enum(['OPEN', 'ACKNOWLEDGED', 'RESOLVED'])).max(3);

builder.queryFields((t) => ({
  incidents: t.prismaField({
    type: ['Incident'],
    description: `Incidents, the latest changed first: of some statuses (all when left out), of one scraper; at most ${MAX_INCIDENTS}.`,
    authScopes: { viewer: true },
    args: {
      status: t.arg({ type: [IncidentStatusEnum], required: false, validate: IncidentStatusList.nullish() }),
      scraperId: t.arg.id({ required: false }),
      first: t.arg.int({ required: false, defaultValue: 50, validate: z.number().int().min(1).max(MAX_INCIDENTS).nullish() }),
    },
    resolve: (query, _root, { status, scraperId, first }, ctx) =>
      ctx.db.prisma.incident.findMany({
        ...query,
        where: {
          status: status?.length ? { in: status } : undefined,
          scraperId: scraperId ? parseId(scraperId, 'Scraper') : undefined,
        },
        orderBy: [{ lastEventAt: 'desc' }, { id: 'desc' }],
        take: first ?? 50,
      }),
  }),
  incident: t.prismaField({
    type: 'Incident',
    nullable: true,
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => ctx.db.prisma.incident.findUnique({ ...query, where: { id: parseId(id, 'Incident') } }),
  }),
}));

builder.objectType(IncidentResolvedError, {
  name: 'IncidentResolvedError',
  description: 'The incident is resolved already; nothing changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ incidentId: t.id({ resolve: (e) => String(e.incidentId) }) }),
});

const who = (ctx: Context) => (ctx.principal.kind === 'admin' && ctx.principal.tokenId !== null ? `an admin (API token ${ctx.principal.tokenId})` : 'the admin');

builder.mutationFields((t) => ({
  acknowledgeIncident: t.field({
    type: IncidentRef,
    description: 'Says someone is on it: the incident is ACKNOWLEDGED and stays open until its subject recovers. Again: no change.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, IncidentResolvedError] },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const incidentId = parseId(id, 'Incident');
      if (await acknowledgeIncident(ctx.db, incidentId, who(ctx))) ctx.incidentEvents.announce([incidentId]);
      return ctx.db.prisma.incident.findUniqueOrThrow({ where: { id: incidentId } });
    },
  }),
}));

builder.subscriptionFields((t) => ({
  incidentUpdated: t.field({
    type: IncidentUpdateRef,
    description: 'Emits each time an incident opens, recurs, is acknowledged or resolves, and each time one of its notifications is attempted.',
    authScopes: { viewer: true },
    subscribe: (_root, _args, ctx) => ctx.incidentEvents.subscribe(),
    resolve: (update: IncidentUpdate) => update,
  }),
}));

/** Open incidents per scraper, read once per request however many health rows ask. */
const openCountsOfRequest = new WeakMap<Context, Promise<Map<number, number>>>();

function openIncidentCounts(ctx: Context): Promise<Map<number, number>> {
  let counts = openCountsOfRequest.get(ctx);
  if (!counts) {
    counts = ctx.db.prisma.incident
      .groupBy({ by: ['scraperId'], where: { status: { not: 'RESOLVED' }, scraperId: { not: null } }, _count: { _all: true } })
      .then((groups) => new Map(groups.map((g) => [g.scraperId!, g._count._all])));
    openCountsOfRequest.set(ctx, counts);
  }
  return counts;
}

builder.objectField(ScraperHealthRef, 'openIncidentCount', (t) =>
  t.int({
    description: 'Incidents about the scraper that are open or acknowledged (not resolved).',
    resolve: async (health, _args, ctx) => (await openIncidentCounts(ctx)).get(health.scraper.id) ?? 0,
  }),
);
