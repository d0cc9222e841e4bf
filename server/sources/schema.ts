/** Sources: the shops and sites that scrapers read. */
import { builder } from '../graphql/builder.ts';

export const SourceRef = builder.prismaObject('Source', {
  description: 'A shop or site that scrapers read, with the freshness it promises.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    url: t.exposeString('url'),
    staleAfterMinutes: t.exposeInt('staleAfterMinutes'),
    criticalAfterMinutes: t.exposeInt('criticalAfterMinutes'),
    scrapers: t.relation('scrapers'),
  }),
});
