/** Runs: the Run type, run history, triggering, the runner's claim/complete/heartbeat cycle and live status. */
import { Kind, type GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import { RunStatus, TriggeredBy } from '../db/generated/prisma/enums.ts';
import { builder } from '../graphql/builder.ts';
import { callingRunner, callingRunnerId, type Context } from '../graphql/context.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../graphql/errors.ts';
import { parseId } from '../graphql/ids.ts';
import { RunInProgressError, RunStateError, ScraperDisabledError } from './errors.ts';
import { cancelRun, claimRun, completeRun, heartbeat, lookForRun, triggerRun, type RunClaim } from './runOperations.ts';
import { signalsOf, startWaitingForWork, type WorkSignal } from './waitForWork.ts';
import { heldElsewhere } from '../graphql/heldWorkWaits.ts';
import { mayHold, type ClaimHolder } from '../http/heldClaims.ts';
import { RunnerLabelsNotGrantedError } from '../runners/errors.ts';
import { describeRequiredLabels, runnerLabelsSchema } from '../../contract/runnerLabels.ts';
import { MAX_PRODUCTS_PER_RUN } from '../../contract/limits.ts';
import { COUNT_EXACT_UP_TO } from '../db/boundedCount.ts';
import { countWith, totalCountFields } from '../graphql/totalCount.ts';
import { countRuns, runFilterWhere, type RunFilter } from './runFilter.ts';

export const RunStatusEnum = builder.enumType(RunStatus, { name: 'RunStatus' });
const TriggeredByEnum = builder.enumType(TriggeredBy, { name: 'TriggeredBy' });

const LogCounts = builder
  .objectRef<{ debug: number; info: number; warning: number; error: number; critical: number }>('LogCounts')
  .implement({
    description: 'How many lines of each level a run has logged.',
    fields: (t) => ({
      debug: t.exposeInt('debug'),
      info: t.exposeInt('info'),
      warning: t.exposeInt('warning'),
      error: t.exposeInt('error'),
      critical: t.exposeInt('critical'),
    }),
  });

export const RunRef = builder.prismaObject('Run', {
  description: 'One execution of a scraper (runners call it a job).',
  fields: (t) => ({
    id: t.exposeID('id'),
    scraper: t.relation('scraper'),
    status: t.expose('status', { type: RunStatusEnum }),
    triggeredBy: t.expose('triggeredBy', { type: TriggeredByEnum }),
    queuedAt: t.expose('queuedAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    requiredLabels: t.exposeStringList('requiredLabels', {
      description: "The labels a runner must hold to claim the run: its trigger's, else its definition's runnerLabels; [] when any runner may.",
    }),
    waitingFor: t.string({
      nullable: true,
      description: 'While the run is QUEUED, what it waits for, such as "waiting for a runner labelled eu"; null once it has started.',
      select: { status: true, requiredLabels: true },
      resolve: (run) => (run.status === 'QUEUED' ? describeRequiredLabels(run.requiredLabels) : null),
    }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true, description: 'When the outcome reached the server (or the run was cancelled or lost).' }),
    durationSeconds: t.exposeFloat('durationSeconds', {
      nullable: true,
      description:
        "How long the run took: the runner's own measure when it reported startedAt and finishedAt (never longer than the server saw), else from startedAt to completedAt.",
    }),
    productsFound: t.exposeInt('productsFound'),
    productsProcessed: t.exposeInt('productsProcessed'),
    flagsCreated: t.exposeInt('flagsCreated'),
    listingComplete: t.exposeBoolean('listingComplete', {
      description: 'The runner read every page of its listing (none failed or was cut off by a limit): only such a run may mark products gone.',
    }),
    productsGone: t.exposeInt('productsGone', { description: 'Products of its scraper this run no longer listed, marked gone when it ended.' }),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    errorType: t.exposeString('errorType', { nullable: true }),
    retryCount: t.exposeInt('retryCount'),
    // A runner reads its own runs (and so itself as their runner), not its way from them to others' runs.
    retryOf: t.relation('retryOf', { nullable: true, authScopes: { viewer: true }, description: 'The failed or lost run this one retries.' }),
    runner: t.relation('runner', { nullable: true }),
    leaseExpiresAt: t.expose('leaseExpiresAt', { type: 'DateTime', nullable: true }),
    lastSeq: t.exposeInt('lastSeq', { description: 'The seq of the newest stored log line (0 before the first).' }),
    logCounts: t.field({
      type: LogCounts,
      select: { debugCount: true, infoCount: true, warningCount: true, errorCount: true, criticalCount: true },
      resolve: (run) => ({
        debug: run.debugCount,
        info: run.infoCount,
        warning: run.warningCount,
        error: run.errorCount,
        critical: run.criticalCount,
      }),
    }),
  }),
});

export const RunFilterInput = builder.inputType('RunFilter', {
  fields: (t) => ({
    scraperId: t.id({ required: false }),
    status: t.field({ type: RunStatusEnum, required: false }),
    triggeredBy: t.field({ type: TriggeredByEnum, required: false }),
    since: t.field({ type: 'DateTime', required: false, description: 'Only runs queued at or after this time.' }),
  }),
});

type RunFilterArg = { scraperId?: string | null; status?: RunStatus | null; triggeredBy?: TriggeredBy | null; since?: Date | null };

const plainRunFilter = (filter: RunFilterArg | null | undefined): RunFilter => ({
  scraperId: filter?.scraperId ? parseId(filter.scraperId, 'Scraper') : null,
  status: filter?.status ?? null,
  triggeredBy: filter?.triggeredBy ?? null,
  since: filter?.since ?? null,
});

builder.queryFields((t) => ({
  runs: t.prismaConnection(
    {
      type: 'Run',
      cursor: 'id',
      description: 'Run history, newest first.',
      authScopes: { viewer: true },
      maxSize: 200,
      defaultSize: 50,
      args: { filter: t.arg({ type: RunFilterInput, required: false }) },
      resolve: (query, _root, { filter }, ctx) =>
        ctx.db.prisma.run.findMany({ ...query, where: runFilterWhere(plainRunFilter(filter)), orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }] }),
      totalCount: countWith(({ filter }: { filter?: RunFilterArg | null }, ctx) => countRuns(ctx.db.pool, plainRunFilter(filter))),
    },
    {
      fields: (t) =>
        totalCountFields(
          t,
          `exact while the runs walked along one index hold at most ${COUNT_EXACT_UP_TO.toLocaleString('en')} rows (those of the scraper and status together ` +
            'when both are given without since, else of the first given of scraperId, status and triggeredBy, queued since `since`, ' +
            'or every run queued since `since`, or every run); beyond, the query planner\'s estimate for the whole filter.',
        ),
    },
  ),
  run: t.prismaField({
    type: 'Run',
    nullable: true,
    authScopes: { viewer: true, runner: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => {
      const runId = parseId(id, 'Run');
      const onlyOwn = ctx.principal.kind === 'runner' ? { runnerId: ctx.principal.runnerId } : {};
      return ctx.db.prisma.run.findFirst({ ...query, where: { id: runId, ...onlyOwn } });
    },
  }),
}));

const loadRun = (ctx: Context, id: number) => ctx.db.prisma.run.findUniqueOrThrow({ where: { id } });

const RunResultInput = builder.inputType('RunResultInput', {
  // Compared, not trusted: clocks of runners disagree with the server's, but an interval measured on one clock holds.
  validate: z
    .looseObject({ startedAt: z.date().nullish(), finishedAt: z.date().nullish() })
    .refine((r) => !r.startedAt || !r.finishedAt || r.finishedAt >= r.startedAt, { message: 'finishedAt must not be before startedAt', path: ['finishedAt'] }),
  fields: (t) => ({
    status: t.field({
      type: RunStatusEnum,
      required: true,
      description:
        'SUCCESS, WARNING or ERROR. The server judges the run too: a SUCCESS that raised flags, found no products or far ' +
        'fewer than expected, or broke a quality gate is stored as WARNING, with its reasons in Run.warnings.',
      validate: z.enum(['SUCCESS', 'WARNING', 'ERROR'], { message: 'must be SUCCESS, WARNING or ERROR' }),
    }),
    productsFound: t.int({ required: true, validate: z.number().int().min(0).max(MAX_PRODUCTS_PER_RUN) }),
    productsProcessed: t.int({ required: true, validate: z.number().int().min(0).max(MAX_PRODUCTS_PER_RUN) }),
    flagsCreated: t.int({ required: false, validate: z.number().int().min(0).max(MAX_PRODUCTS_PER_RUN).nullish() }),
    listingComplete: t.boolean({
      required: false,
      description:
        'true when every page of the listing was fetched and parsed, none failing or cut off by a limit. Only a run that ' +
        'ends SUCCESS (after the server\'s verdict) with a complete listing marks the products of its scraper it did not see as gone. ' +
        'Left out, it is false: nothing is marked gone.',
    }),
    errorMessage: t.string({ required: false, validate: z.string().max(8192).nullish() }),
    errorType: t.string({ required: false, validate: z.string().max(128).nullish() }),
    startedAt: t.field({
      type: 'DateTime',
      required: false,
      description: "When the runner started the run, on its clock. With finishedAt, the run's duration is the runner's own measure.",
    }),
    finishedAt: t.field({
      type: 'DateTime',
      required: false,
      description:
        "When the runner finished the run, on its clock. With startedAt, durationSeconds is finishedAt − startedAt (bounded by the time " +
        'between the claim and the outcome reaching the server), so that time spent waiting for an unreachable API does not count.',
    }),
  }),
});

export const IfActiveEnum = builder.enumType('IfActive', {
  description: 'What triggerRun does when the scraper already has a run queued or running (one run of a scraper runs at a time).',
  values: {
    REFUSE: { description: 'Queue nothing: answer RunInProgressError, naming the run that is queued or running.' },
    QUEUE: {
      description:
        'Queue a run that starts when the running one has ended. When a run is already waiting to start, queue nothing: ' +
        'answer RunInProgressError naming it (it will scrape anyway).',
    },
  },
});

builder.objectType(ScraperDisabledError, {
  name: 'ScraperDisabledError',
  description: 'The scraper is disabled, so it takes no runs.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ scraperId: t.id({ resolve: (e) => String(e.scraperId) }) }),
});

builder.objectType(RunStateError, {
  name: 'RunStateError',
  description: 'The run is not in a state that allows the operation (for example completing a run that was cancelled).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    runId: t.id({ resolve: (e) => String(e.runId) }),
    status: t.exposeString('status'),
  }),
});

builder.objectType(RunInProgressError, {
  name: 'RunInProgressError',
  description: 'The scraper already has a run queued or running; nothing was queued.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    scraperId: t.id({ resolve: (e) => String(e.scraperId) }),
    activeRun: t.field({ type: RunRef, description: 'The run that is queued or running.', resolve: (e, _args, ctx) => loadRun(ctx, e.activeRunId) }),
  }),
});

builder.mutationFields((t) => ({
  triggerRun: t.field({
    type: RunRef,
    description:
      'Queues a run of the scraper and returns it at once; a runner executes it in the background. ' +
      'A scraper runs one run at a time: see ifActive for a trigger while one is queued or running.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, ScraperDisabledError, RunInProgressError] },
    args: {
      scraperId: t.arg.id({ required: true }),
      ifActive: t.arg({ type: IfActiveEnum, required: false, defaultValue: 'REFUSE' }),
      runnerLabels: t.arg.stringList({
        required: false,
        description: "Only a runner holding all these labels may take the run; null takes the definition's runnerLabels, [] lets any runner take it.",
        validate: runnerLabelsSchema.nullish(),
      }),
    },
    resolve: async (_root, { scraperId, ifActive, runnerLabels }, ctx) => {
      const queued = await triggerRun(ctx.db, parseId(scraperId, 'Scraper'), 'MANUAL', ifActive ?? 'REFUSE', runnerLabels ?? null);
      ctx.runEvents.announce([queued]);
      return loadRun(ctx, queued.runId);
    },
  }),
  claimRun: t.field({
    type: RunRef,
    nullable: true,
    description:
      'Takes the oldest queued run the calling runner may take (it asks for no label the runner lacks) and marks it RUNNING; null when none is queued. ' +
      'With waitSeconds, when none is queued the request is held (no database connection is) until one is queued, answered the moment it is, ' +
      'or null when the wait ends or the server shuts down. A waiting runner counts as connected (Runner.online).',
    authScopes: { runner: true },
    errors: { types: [...MUTATION_ERRORS, RunnerLabelsNotGrantedError] },
    args: {
      waitSeconds: t.arg.int({
        required: false,
        defaultValue: 0,
        description: 'How long to wait for a run when none is queued: 0 (the default) answers at once; a longer wait than the server allows (CLAIM_WAIT_MAX_SECONDS, 300 by default) is shortened to it.',
        validate: z.number().int().min(0, 'waitSeconds must be at least 0').nullish(),
      }),
      labels: t.arg.stringList({
        required: false,
        description: "Claim under these of the runner's labels only (a runner started with --labels); null claims under all of them.",
        validate: runnerLabelsSchema.nullish(),
      }),
    },
    resolve: async (_root, { waitSeconds, labels }, ctx, info) => {
      const { runnerId, labels: claimingUnder } = runnerClaimingUnder(ctx, labels);
      // A longer wait than this server allows is shortened to it: the runner cannot know each server's limit.
      const waitMs = Math.min(waitSeconds ?? 0, ctx.config.claimWaitMaxSeconds) * 1000;
      const hangUp = waitMs > 0 ? ctx.hangUp?.() : undefined;
      const claim = { runnerId, labels: claimingUnder, leaseSeconds: ctx.config.runLeaseSeconds, waitMs, signal: hangUp };
      // Over HTTP, an operation that is the claim alone may run again when its runner is woken: its wait is held by the exchange.
      const holder = waitMs > 0 && ctx.params && isOnlyRootField(info) && mayHold(ctx.params) ? ctx.claimHolder : undefined;
      const claimed = holder ? await claimOrHold(ctx, holder, claim) : await claimRun(ctx.db, ctx.claimWaiters, claim);
      if (!claimed) return null;
      ctx.runEvents.announce([claimed]);
      return loadRun(ctx, claimed.runId);
    },
  }),
  completeRun: t.field({
    type: RunRef,
    description:
      "Reports a claimed run's outcome. Sending the same outcome again (a retry whose answer was lost) answers the run as stored; " +
      'a run that was cancelled or lost meanwhile is refused with RunStateError.',
    authScopes: { runner: true },
    errors: { types: [...MUTATION_ERRORS, RunStateError] },
    args: { jobId: t.arg.id({ required: true }), result: t.arg({ type: RunResultInput, required: true }) },
    resolve: async (_root, { jobId, result }, ctx) => {
      const runId = parseId(jobId, 'Run');
      const completed = await completeRun(ctx.db, callingRunnerId(ctx), runId, {
        status: result.status as 'SUCCESS' | 'WARNING' | 'ERROR',
        productsFound: result.productsFound,
        productsProcessed: result.productsProcessed,
        flagsCreated: result.flagsCreated ?? 0,
        errorMessage: result.errorMessage,
        errorType: result.errorType,
        listingComplete: result.listingComplete ?? false,
        runnerSeconds: result.startedAt && result.finishedAt ? (result.finishedAt.getTime() - result.startedAt.getTime()) / 1000 : null,
      });
      ctx.runEvents.announce([completed, ...completed.alsoChanged]);
      ctx.incidentEvents.announce(completed.incidentIds);
      // The run's end judges its catalogue's prices again, which may raise flags.
      ctx.flagEvents.announce();
      return loadRun(ctx, runId);
    },
  }),
  cancelRun: t.field({
    type: RunRef,
    description: 'Cancels a queued or running run; its runner learns of it from its next heartbeat.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, RunStateError] },
    args: { jobId: t.arg.id({ required: true }) },
    resolve: async (_root, { jobId }, ctx) => {
      const runId = parseId(jobId, 'Run');
      ctx.runEvents.announce([await cancelRun(ctx.db, runId)]);
      return loadRun(ctx, runId);
    },
  }),
  heartbeat: t.field({
    type: RunRef,
    description: 'Proves the runner is alive and extends the lease of its run. A CANCELLED status tells it to stop.',
    authScopes: { runner: true },
    errors: { types: [...MUTATION_ERRORS, RunStateError] },
    args: { jobId: t.arg.id({ required: true }) },
    resolve: async (_root, { jobId }, ctx) => {
      const runId = parseId(jobId, 'Run');
      await heartbeat(ctx.db, callingRunnerId(ctx), runId, ctx.config.runLeaseSeconds);
      return loadRun(ctx, runId);
    },
  }),
}));

const WorkAvailable = builder.objectRef<WorkSignal>('WorkAvailable').implement({
  description: 'Tells a waiting runner that a run it may claim may be queued: it claims with claimRun.',
  fields: (t) => ({
    signalledAt: t.expose('signalledAt', { type: 'DateTime', description: 'When the server told the runner.' }),
  }),
});

builder.subscriptionFields((t) => ({
  workAvailable: t.field({
    type: WorkAvailable,
    description:
      'How an idle runner waits for work without asking again and again: it holds no database connection and costs the server nothing while it waits. ' +
      'Sends one event when a run the runner may claim is queued or already waiting (the runner then calls claimRun, which may answer null when ' +
      'another runner was quicker) and completes. Completes without an event when the wait ends (WORK_WAIT_MAX_SECONDS, 1800 by default) or the ' +
      'server shuts down: the runner subscribes again. A queued run signals one waiting runner on each instance, the one that has waited longest ' +
      'among those holding its labels. A waiting runner counts as connected (Runner.online). ' +
      'A label the runner does not hold fails with extensions.code RUNNER_LABELS_NOT_GRANTED.',
    authScopes: { runner: true },
    args: {
      labels: t.arg.stringList({
        required: false,
        description: "Wait for runs under these of the runner's labels only (a runner started with --labels); null waits under all of them.",
        validate: runnerLabelsSchema.nullish(),
      }),
    },
    subscribe: (_root, { labels }, ctx, info) => {
      const { runnerId, labels: waitingUnder } = runnerClaimingUnder(ctx, labels);
      const wait = startWaitingForWork(ctx.db.pool, ctx.claimWaiters, { runnerId, labels: waitingUnder, waitMs: ctx.config.workWaitMaxSeconds * 1000 });
      // Over websocket, an operation that is the wait alone is held by its connection (see graphql/heldWorkWaits.ts).
      if (ctx.workHolder && isOnlyRootField(info)) {
        ctx.workHolder.held = wait;
        return heldElsewhere();
      }
      return signalsOf(wait);
    },
    resolve: (signal: WorkSignal) => signal,
  }),
  runUpdated: t.field({
    type: RunRef,
    description: 'Emits a run each time its status or counts change: of one run (jobId), one scraper, or all runs.',
    authScopes: { viewer: true },
    args: { jobId: t.arg.id({ required: false }), scraperId: t.arg.id({ required: false }) },
    subscribe: (_root, { jobId, scraperId }, ctx) =>
      ctx.runEvents.subscribe({
        runId: jobId ? parseId(jobId, 'Run') : undefined,
        scraperId: scraperId ? parseId(scraperId, 'Scraper') : undefined,
      }),
    resolve: (runId: number, _args, ctx) => loadRun(ctx, runId),
  }),
}));

/** The calling runner and the labels it claims or waits under: those it asked for, which it must hold, else all it holds. */
function runnerClaimingUnder(ctx: Context, labels: string[] | null | undefined): { runnerId: number; labels: string[] } {
  const { runnerId, labels: held } = callingRunner(ctx);
  const notGranted = (labels ?? []).filter((label) => !held.includes(label));
  if (notGranted.length > 0) throw new RunnerLabelsNotGrantedError(notGranted);
  return { runnerId, labels: labels ?? held };
}

const isOnlyRootField = (info: GraphQLResolveInfo) => info.operation.selectionSet.selections.length === 1 && info.operation.selectionSet.selections[0]!.kind === Kind.FIELD;

/**
 * One look for the runner's run; finding none, its place in line is left to the HTTP exchange to hold
 * (see http/heldClaims.ts) and the execution answers null now. Run again after a wake-up, it looks
 * with the rest of the wait.
 */
async function claimOrHold(ctx: Context, holder: ClaimHolder, claim: RunClaim) {
  const look = await lookForRun(ctx.db, ctx.claimWaiters, claim, ctx.continuedClaim);
  if (look.claimed) {
    holder.claimed = true;
    return look.claimed;
  }
  // A runner that hung up is not held: the exchange passes on the wake-up it came back for.
  if (look.wait) holder.held = { ...look.wait, runnerId: claim.runnerId, params: ctx.params! };
  return null;
}
