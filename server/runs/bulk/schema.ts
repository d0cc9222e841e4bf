/** Acting on many runs at once: triggering several scrapers and retrying several failed runs, answered per item. */
import { actOnEach, bulkIdsRule, errorValue, MAX_BULK_IDS, type BulkItem, type BulkResult } from '../../graphql/bulkItems.ts';
import { builder } from '../../graphql/builder.ts';
import type { Context } from '../../graphql/context.ts';
import type { ItemOutcome } from '../../eachItem.ts';
import type { RunChange } from '../sql/notifyRunUpdated.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../../graphql/errors.ts';
import { retryRuns, triggerRuns } from './bulkRunOperations.ts';
import { RunAlreadyRetriedError } from '../errors.ts';
import { IfActiveEnum } from '../schema.ts';

builder.objectType(RunAlreadyRetriedError, {
  name: 'RunAlreadyRetriedError',
  description: 'A failed run is retried once: this one has its retry already (queued by hand or by the scheduler); nothing was queued.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    runId: t.id({ resolve: (e) => String(e.runId) }),
    retry: t.prismaField({
      type: 'Run',
      description: 'The run that retries it.',
      resolve: (query, e, _args, ctx) => ctx.db.prisma.run.findUniqueOrThrow({ ...query, where: { id: e.retryRunId } }),
    }),
  }),
});

const BulkRunItem = builder.objectRef<BulkItem>('BulkRunItem').implement({
  description: 'The answer for one id of a bulk operation on runs: the run it queued (error null), or the typed reason it queued none.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The id as asked: a scraper id for triggerRuns, a run id for retryRuns.' }),
    run: t.prismaField({
      type: 'Run',
      nullable: true,
      description: 'The run queued; null when the operation failed for this id.',
      resolve: (query, item, _args, ctx) => (item.doneId === null ? null : ctx.db.prisma.run.findUnique({ ...query, where: { id: item.doneId } })),
    }),
    error: t.field({ type: ErrorInterface, nullable: true, resolve: (item) => errorValue(item.error) }),
  }),
});

const BulkRunsResult = builder.objectRef<BulkResult>('BulkRunsResult').implement({
  description: 'One item per distinct id asked, in the order asked (an id named twice is acted on and answered once).',
  fields: (t) => ({
    items: t.field({ type: [BulkRunItem], resolve: (result) => result.items }),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed'),
  }),
});

const LIMIT = `At most ${MAX_BULK_IDS} ids a call (more is a ValidationError, and nothing is done); each id is answered on its own, and the others proceed whatever one of them answers.`;

builder.mutationFields((t) => ({
  triggerRuns: t.field({
    type: BulkRunsResult,
    description:
      'Queues a run of each scraper as triggerRun does, with the same overlap rule (ifActive) for each: an id answers ' +
      `NotFoundError, ScraperDisabledError or RunInProgressError where triggerRun would. ${LIMIT}`,
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: {
      scraperIds: t.arg.idList({ required: true, validate: bulkIdsRule }),
      ifActive: t.arg({ type: IfActiveEnum, required: false, defaultValue: 'REFUSE' }),
    },
    resolve: (_root, { scraperIds, ifActive }, ctx) =>
      actOnEach(scraperIds.map(String), 'Scraper', async (ids) => announced(ctx, await triggerRuns(ctx.db, ids, ifActive ?? 'REFUSE')), queuedRunId),
  }),
  retryRuns: t.field({
    type: BulkRunsResult,
    description:
      'Retries each failed run once: a run that ended in ERROR (a lost run included) gets a new QUEUED run of its scraper, ' +
      'triggered MANUAL, with retryOf naming it and retryCount one more (the scraper\'s maxRetries does not limit a retry by hand). ' +
      'A run that did not fail (CANCELLED included: it was stopped on purpose) answers RunStateError; one retried already, ' +
      'RunAlreadyRetriedError naming its retry; and, as for a trigger with ifActive REFUSE, a scraper with a run queued or ' +
      `running answers RunInProgressError, a disabled one ScraperDisabledError. ${LIMIT}`,
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { runIds: t.arg.idList({ required: true, validate: bulkIdsRule }) },
    resolve: (_root, { runIds }, ctx) => actOnEach(runIds.map(String), 'Run', async (ids) => announced(ctx, await retryRuns(ctx.db, ids)), queuedRunId),
  }),
}));

/** The runs queued are announced as triggerRun announces its one. */
function announced(ctx: Context, outcomes: Map<number, ItemOutcome<RunChange>>): Map<number, ItemOutcome<RunChange>> {
  ctx.runEvents.announce([...outcomes.values()].flatMap((outcome) => (outcome.done ? [outcome.done] : [])));
  return outcomes;
}

const queuedRunId = (queued: RunChange) => queued.runId;
