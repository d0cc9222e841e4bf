/** Sources: the shops and sites that scrapers read, and the input that makes a new one. */
import { z } from 'zod';
import { builder } from '../graphql/builder.ts';
import { displayName, httpUrl, minutes, thresholdsInOrder } from './inputRules.ts';

export const SourceRef = builder.prismaObject('Source', {
  description: 'A shop or site that scrapers read, with the freshness it promises.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    url: t.exposeString('url'),
    staleAfterMinutes: t.exposeInt('staleAfterMinutes'),
    criticalAfterMinutes: t.exposeInt('criticalAfterMinutes'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    scrapers: t.relation('scrapers', { query: { orderBy: { slug: 'asc' } } }),
  }),
});

export const NewSourceInput = builder.inputType('NewSourceInput', {
  description: 'A source made together with the scraper that reads it.',
  fields: (t) => ({
    name: t.string({ required: true, validate: displayName(200) }),
    url: t.string({ required: true, validate: httpUrl }),
    staleAfterMinutes: t.int({ required: false, validate: minutes.nullish() }),
    criticalAfterMinutes: t.int({ required: false, validate: minutes.nullish() }),
  }),
  validate: z
    .looseObject({})
    .refine(thresholdsInOrder, { message: 'criticalAfterMinutes must be at least staleAfterMinutes', path: ['criticalAfterMinutes'] }),
});

builder.queryFields((t) => ({
  sources: t.prismaField({
    type: ['Source'],
    description: 'Every source, by name.',
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) => ctx.db.prisma.source.findMany({ ...query, orderBy: { name: 'asc' } }),
  }),
}));
