/** Flags: the cleanup queue of products a person should look at, and resolving them. */
import { z } from 'zod';
import { FlagKind, FlagStatus } from '../db/generated/prisma/enums.ts';
import { builder } from '../graphql/builder.ts';
import { MUTATION_ERRORS } from '../graphql/errors.ts';
import { parseId } from '../graphql/ids.ts';
import '../products/schema.ts';
import '../runs/schema.ts';
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
  flags: t.prismaConnection({
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
  }),
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
    description: 'Approves or dismisses flags and records when; ids that name no flag are skipped.',
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
        validate: z.enum(['APPROVED', 'DISMISSED'], { message: 'must be APPROVED or DISMISSED' }),
      }),
    },
    resolve: (_root, { ids, status }, ctx) =>
      resolveFlags(
        ctx.db,
        ids.map((id) => parseId(id, 'Flag')),
        status as Resolution,
      ),
  }),
}));
