/** Scrapers: what they scrape, their schedule, and pausing them. */
import { MissedRunPolicy } from '../db/generated/prisma/enums.ts';
import { builder } from '../graphql/builder.ts';

export const MissedRunPolicyEnum = builder.enumType(MissedRunPolicy, { name: 'MissedRunPolicy' });

export const ScraperRef = builder.prismaObject('Scraper', {
  description: 'A scraper definition, its source and its schedule.',
  fields: (t) => ({
    id: t.exposeID('id'),
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    source: t.relation('source'),
    cron: t.exposeString('cron', { nullable: true }),
    timezone: t.exposeString('timezone'),
    enabled: t.exposeBoolean('enabled'),
    paused: t.exposeBoolean('paused'),
    config: t.expose('config', { type: 'JSON', description: 'The declarative scraper definition the runner executes.' }),
    maxRetries: t.exposeInt('maxRetries'),
    missedRunPolicy: t.expose('missedRunPolicy', { type: MissedRunPolicyEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

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
    args: { slug: t.arg.string({ required: true }) },
    resolve: (query, _root, { slug }, ctx) => ctx.db.prisma.scraper.findUnique({ ...query, where: { slug } }),
  }),
}));
