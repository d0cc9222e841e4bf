/** Runners: the processes that execute runs, and their API keys. */
import { builder } from '../graphql/builder.ts';

export const RunnerRef = builder.prismaObject('Runner', {
  description: 'A runner process; it authenticates with an API key (header x-api-key) of which only a hash is kept.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryFields((t) => ({
  runners: t.prismaField({
    type: ['Runner'],
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) => ctx.db.prisma.runner.findMany({ ...query, orderBy: { name: 'asc' } }),
  }),
}));
