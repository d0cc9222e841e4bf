/** Flags: the cleanup queue of products a person should look at, and resolving them. */
import { z } from 'zod';
import { FlagKind, FlagStatus } from '../db/generated/prisma/enums.ts';
import { builder } from '../graphql/builder.ts';
import { MUTATION_ERRORS } from '../graphql/errors.ts';
import { parseId } from '../graphql/ids.ts';
import '../products/schema.ts';
import '../runs/schema.ts';
import { COUNT_EXACT_UP_TO } from '../db/boundedCount.ts';
import { countWith, totalCountFields } from '../graphql/totalCount.ts';
import { countFlags } from './sql/countFlags.ts';
import { MAX_FLAGS_PER_RESOLVE, resolveFlags, type Resolution } from './resolveFlags.ts';

const FlagKindEnum = builder.enumType(FlagKind, { name: 'FlagKind' });
const FlagStatusEnum = builder.enumType(FlagStatus, { name: 'FlagStatus' });

builder.prismaObject('Flag', {
  description: 'Something about a product that a person should look at.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.expose('kind', { type: FlagKindEnum }),
    status: t.expose('status', { type: FlagStatusEnum }),
    detail: t.exposeString('detail', { description: 'What is wrong, in words.' }),
    product: t.relation('product'),
    run: t.relation('run', { nullable: true, description: 'The run that raised the flag.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryFields((t) => ({
  flags: t.prismaConnection(
    {
      type: 'Flag',
      cursor: 'id',
      description: 'The cleanup queue: pending flags first, then the rest; newest first within each status.',
      authScopes: { viewer: true },
      maxSize: 200,
      defaultSize: 50,
      args: {
        status: t.arg({ type: FlagStatusEnum, required: false }),
        kind: t.arg({ type: FlagKindEnum, required: false }),
      },
      resolve: (query, _root, { status, kind }, ctx) =>
        ctx.db.prisma.flag.findMany({
          ...query,
          where: { status: status ?? undefined, kind: kind ?? undefined },
          // FlagStatus is declared PENDING first, and PostgreSQL sorts an enum in declaration order.
          orderBy: [{ status: 'asc' }, { createdAt: 'desc' }, { id: 'desc' }],
        }),
      totalCount: countWith((filter: { status?: FlagStatus | null; kind?: FlagKind | null }, ctx) => countFlags(ctx.db.pool, filter)),
    },
    {
      fields: (t) =>
        totalCountFields(
          t,
          `exact while the flags of the status asked (or all flags, without one) number at most ${COUNT_EXACT_UP_TO.toLocaleString('en')}; ` +
            "beyond, the query planner's estimate.",
        ),
    },
  ),
}));

const ResolveFlagsResult = builder.objectRef<{ updated: number; ids: number[] }>('ResolveFlagsResult').implement({
  fields: (t) => ({
    updated: t.exposeInt('updated', { description: 'How many of the named flags exist and were set.' }),
    flags: t.prismaField({
      type: ['Flag'],
      resolve: (query, result, _args, ctx) =>
        ctx.db.prisma.flag.findMany({ ...query, where: { id: { in: result.ids } }, orderBy: { id: 'asc' } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  resolveFlags: t.field({
    type: ResolveFlagsResult,
    description:
      'Approves or dismisses flags and records when, or sets them back to PENDING (an undo); ids that name no flag are skipped. ' +
      'Every admin watching the queue hears of it through flagsChanged.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: {
      ids: t.arg.idList({
        required: true,
        validate: z
          .array(z.unknown())
          .min(1, 'name at least one flag')
          .max(MAX_FLAGS_PER_RESOLVE, `at most ${MAX_FLAGS_PER_RESOLVE} flags at once`),
      }),
      status: t.arg({
        type: FlagStatusEnum,
        required: true,
        validate: z.enum(['APPROVED', 'DISMISSED', 'PENDING'], { message: 'must be APPROVED, DISMISSED or PENDING' }),
      }),
    },
    resolve: async (_root, { ids, status }, ctx) => {
      const result = await resolveFlags(
        ctx.db,
        ids.map((id) => parseId(id, 'Flag')),
        status as Resolution,
      );
      if (result.updated > 0) ctx.flagEvents.announce();
      return result;
    },
  }),
}));

const FlagsChange = builder.objectRef<true>('FlagsChange').implement({
  description: 'The cleanup queue changed: read it again.',
  fields: (t) => ({
    pendingCount: t.int({
      description: `Pending flags now: exact up to ${COUNT_EXACT_UP_TO.toLocaleString('en')}, beyond, the query planner's estimate.`,
      resolve: async (_change, _args, ctx) => (await countFlags(ctx.db.pool, { status: 'PENDING' })).count,
    }),
  }),
});

builder.subscriptionFields((t) => ({
  flagsChanged: t.field({
    type: FlagsChange,
    description: 'Emits when flags are raised, resolved or set back to pending, by this or another admin or by a run; a burst is sent once.',
    authScopes: { viewer: true },
    subscribe: (_root, _args, ctx) => ctx.flagEvents.subscribe(),
    resolve: (change: true) => change,
  }),
}));
