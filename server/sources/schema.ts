/** Sources: the shops and sites that scrapers read, and the input that makes a new one. */
import { builder } from '../graphql/builder.ts';
import { ErrorInterface } from '../graphql/errors.ts';
import { SourceNameTakenError } from './errors.ts';

export const SourceRef = builder.prismaObject('Source', {
  description: 'A shop or site that scrapers read, with the freshness it promises.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    url: t.exposeString('url'),
    staleAfterMinutes: t.exposeInt('staleAfterMinutes'),
    criticalAfterMinutes: t.exposeInt('criticalAfterMinutes'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    scrapers: t.relation('scrapers', { authScopes: { viewer: true }, query: { orderBy: { slug: 'asc' } } }),
  }),
});

/** Its rules (newSource in inputRules.ts) are applied by the input that carries it, with that input's own. */
export const NewSourceInput = builder.inputType('NewSourceInput', {
  description: 'A source made together with the scraper that reads it.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'At most 200 characters.' }),
    url: t.string({ required: true, description: 'An http or https URL.' }),
    staleAfterMinutes: t.int({ required: false, description: 'Defaults to 1440 (a day).' }),
    criticalAfterMinutes: t.int({ required: false, description: 'At least staleAfterMinutes; defaults to 4320 (three days).' }),
  }),
});

builder.queryFields((t) => ({
  sources: t.prismaField({
    type: ['Source'],
    description: 'Every source, by name.',
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) => ctx.db.prisma.source.findMany({ ...query, orderBy: { name: 'asc' } }),
  }),
}));

builder.objectType(SourceNameTakenError, {
  name: 'SourceNameTakenError',
  description: 'Source names are unique; nothing was stored.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('sourceName') }),
});
