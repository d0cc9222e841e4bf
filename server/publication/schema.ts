/** Publication: whether a run's products are what published reads return, the runs a gate held, and their approval. */
import type { Publication } from '../db/generated/prisma/enums.ts';
import { builder } from '../graphql/builder.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../graphql/errors.ts';
import { parseId } from '../graphql/ids.ts';
import { RunRef } from '../runs/schema.ts';
import { approveRun } from './approveRun.ts';
import { RunNotHeldError } from './errors.ts';

const MAX_HELD_RUNS = 200;

const PublicationEnum = builder.enumType('Publication', {
  description:
    "Whether a run's products are published. Reads that ask for published products (products and productsExport with " +
    "filter published: true) return each product's values as of its last published run; values a gate held are stored " +
    'and returned by the other product reads, not by those.',
  values: {
    NONE: { description: 'Nothing of it was published: it failed or was cancelled (what it stored stays unpublished), or it found no products.' },
    PUBLISHED: { description: 'It passed its gates when it ended: its products were published then.' },
    HELD: { description: 'It broke a quality gate: its products are stored and visible, not published until an admin approves the run or a later run passes.' },
    APPROVED: { description: 'Held, then an admin approved it: its products (those no later run had scraped again) were published.' },
    SUPERSEDED: { description: 'Held, and a later run of the scraper was published before anyone approved this one.' },
  } satisfies Record<Publication, { description: string }>,
});

builder.prismaObjectFields(RunRef, (t) => ({
  publication: t.expose('publication', { type: PublicationEnum }),
  publishedAt: t.expose('publishedAt', {
    type: 'DateTime',
    nullable: true,
    description: 'When its products were published: when it ended, or when an admin approved it.',
  }),
}));

builder.objectType(RunNotHeldError, {
  name: 'RunNotHeldError',
  description: 'The run is not HELD, so there is nothing to approve (it was published, superseded, approved, or had no products).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    runId: t.id({ resolve: (e) => String(e.runId) }),
    publication: t.field({ type: PublicationEnum, resolve: (e) => e.publication as Publication }),
  }),
});

builder.queryFields((t) => ({
  heldRuns: t.prismaField({
    type: ['Run'],
    description: `Runs whose products a quality gate holds, waiting in the cleanup queue for approval; newest first (at most ${MAX_HELD_RUNS}).`,
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) =>
      ctx.db.prisma.run.findMany({ ...query, where: { publication: 'HELD' }, orderBy: [{ completedAt: 'desc' }, { id: 'desc' }], take: MAX_HELD_RUNS }),
  }),
}));

builder.mutationFields((t) => ({
  approveRun: t.field({
    type: RunRef,
    description:
      "Publishes a HELD run's products after all (those no later run has scraped again), marks it APPROVED, supersedes the scraper's " +
      'older held runs, and moves its source\'s freshness to when it ran (unless it was a volume drop).',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, RunNotHeldError] },
    args: { runId: t.arg.id({ required: true }) },
    resolve: async (_root, { runId }, ctx) => {
      const id = parseId(runId, 'Run');
      ctx.runEvents.announce(await approveRun(ctx.db, id));
      return ctx.db.prisma.run.findUniqueOrThrow({ where: { id } });
    },
  }),
}));
