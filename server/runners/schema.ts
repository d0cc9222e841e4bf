/** Runners: the processes that execute runs, their API keys, and the run each one holds. */
import { z } from 'zod';
import { builder } from '../graphql/builder.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../graphql/errors.ts';
import type { Context } from '../graphql/context.ts';
import { parseId } from '../graphql/ids.ts';
import { RunRef } from '../runs/schema.ts';
import { RunnerLabelsNotGrantedError, RunnerNameTakenError, RunnerRevokedError } from './errors.ts';
import { runnerLabelsSchema } from '../../contract/runnerLabels.ts';
import { createRunner, revokeRunner, rotateRunnerKey, setRunnerLabels, type RunnerWithKey } from './runnerOperations.ts';
import { isRunnerOnline } from './runnerPresence.ts';

const RunnerRef = builder.prismaObject('Runner', {
  description: 'A runner process; it authenticates with an API key (header x-api-key) of which only a hash is kept.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastSeenAt: t.expose('lastSeenAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the runner last called the API (kept to within a few seconds).',
    }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    labels: t.exposeStringList('labels', {
      description: 'What work it may take, set by an admin (setRunnerLabels): a run asking for labels goes only to a runner holding them all.',
    }),
    online: t.boolean({
      description:
        'Whether the runner is connected: it holds a wait for work open (claimRun with waitSeconds), or called the API within the online window ' +
        '(15 s by default, RUNNER_ONLINE_WINDOW_SECONDS). runnerUpdated tells when it changes.',
      select: { lastSeenAt: true, waitingUntil: true, revokedAt: true },
      resolve: (runner, _args, ctx) => runner.revokedAt === null && isRunnerOnline(runner, ctx.config.runnerOnlineWindowSeconds),
    }),
    currentRun: t.field({
      type: RunRef,
      nullable: true,
      description: 'The RUNNING run this runner holds, if any.',
      select: (_args, _ctx, nestedSelection) => ({
        runs: nestedSelection({ where: { status: 'RUNNING' }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: 1 }),
      }),
      resolve: (runner) => runner.runs[0] ?? null,
    }),
  }),
});

const RunnerWithKeyRef = builder.objectRef<RunnerWithKey>('RunnerWithKey').implement({
  description: 'A runner with its API key, which is never shown again.',
  fields: (t) => ({
    apiKey: t.exposeString('apiKey', { description: 'Send it as the x-api-key header. Shown once.' }),
    runner: t.field({ type: RunnerRef, resolve: (created) => created.runner }),
  }),
});

/** Runner names usually are host or pod names, and appear in logs and URLs. */
const RUNNER_NAME = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may hold letters, digits and . _ - only, starting with a letter or digit');

builder.queryFields((t) => ({
  runners: t.prismaField({
    type: ['Runner'],
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) => ctx.db.prisma.runner.findMany({ ...query, orderBy: { name: 'asc' } }),
  }),
}));

builder.subscriptionFields((t) => ({
  runnerUpdated: t.prismaField({
    type: 'Runner',
    description:
      'Emits a runner when it goes offline (silent for the online window) or comes back online; found by a sweep every few seconds (RUNNER_PRESENCE_SWEEP_SECONDS).',
    authScopes: { viewer: true },
    subscribe: (_root, _args, ctx) => ctx.runnerPresence.subscribe(),
    resolve: (query, runnerId: number, _args, ctx) => ctx.db.prisma.runner.findUniqueOrThrow({ ...query, where: { id: runnerId } }),
  }),
}));

builder.objectType(RunnerNameTakenError, {
  name: 'RunnerNameTakenError',
  description: 'Runner names are unique; nothing was stored.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('runnerName') }),
});

builder.objectType(RunnerRevokedError, {
  name: 'RunnerRevokedError',
  description: 'The runner is revoked, and a revoked runner gets no new key.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ runnerId: t.id({ resolve: (e) => String(e.runnerId) }) }),
});

builder.objectType(RunnerLabelsNotGrantedError, {
  name: 'RunnerLabelsNotGrantedError',
  description: "The runner asked to claim under labels it does not hold; an admin sets a runner's labels, and a runner may only narrow them.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ labels: t.exposeStringList('labels') }),
});

builder.mutationFields((t) => ({
  setRunnerLabels: t.field({
    type: RunnerRef,
    description:
      "Sets what work a runner may take: a run that asks for labels (its definition's runnerLabels, or its trigger's) is claimed only by a runner holding them all. " +
      'Takes effect at its next claim.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { id: t.arg.id({ required: true }), labels: t.arg.stringList({ required: true, validate: runnerLabelsSchema }) },
    resolve: (_root, { id, labels }, ctx) => changingRunner(ctx, parseId(id, 'Runner'), (runnerId) => setRunnerLabels(ctx.db, runnerId, labels)),
  }),
  createRunner: t.field({
    type: RunnerWithKeyRef,
    description: 'Registers a runner and returns its API key once.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, RunnerNameTakenError] },
    args: { name: t.arg.string({ required: true, validate: RUNNER_NAME }) },
    resolve: (_root, { name }, ctx) => createRunner(ctx.db, { name }),
  }),
  rotateRunnerKey: t.field({
    type: RunnerWithKeyRef,
    description: 'Gives the runner a new API key, returned once; the old key is refused from the next request on.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS, RunnerRevokedError] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => changingRunner(ctx, parseId(id, 'Runner'), (runnerId) => rotateRunnerKey(ctx.db, runnerId)),
  }),
  revokeRunner: t.field({
    type: RunnerRef,
    description: "Revokes a runner: its key is refused from the next request on. A run it holds is lost when its lease passes.",
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => changingRunner(ctx, parseId(id, 'Runner'), (runnerId) => revokeRunner(ctx.db, runnerId)),
  }),
}));

/**
 * Every instance forgets the runner's key when the change's NOTIFY arrives; this one forgets it before
 * answering, so that the caller's next request here sees the change whenever the NOTIFY comes.
 */
async function changingRunner<T>(ctx: Context, runnerId: number, change: (runnerId: number) => Promise<T>): Promise<T> {
  try {
    return await change(runnerId);
  } finally {
    ctx.knownRunnerKeys?.cache.forget(runnerId);
  }
}
