/** Logs: appendLogs for runners, paginated history, and the live jobLogs subscription. */
import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import type { StandardSchemaV1 } from '@pothos/plugin-validation';
import { z } from 'zod';
import { LogLevel } from '../db/generated/prisma/enums.ts';
import { builder } from '../graphql/builder.ts';
import { batchIdRule } from '../../contract/batchId.ts';
import { callingRunnerId } from '../graphql/context.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../graphql/errors.ts';
import { parseId } from '../graphql/ids.ts';
import { RunStateError } from '../runs/errors.ts';
import { appendLogs } from './appendLogs.ts';
import { BatchTooLargeError } from './errors.ts';
import type { LogEvent } from './subscriberQueue.ts';
import type { RunEnd } from './sql/readRunEnd.ts';
import { RunRef, RunStatusEnum } from '../runs/schema.ts';
import { MAX_LINES_PER_BATCH, MAX_MESSAGE_BYTES } from '../../contract/limits.ts';
import { LOG_LEVELS } from '../../contract/logLevels.ts';
import { levelRank } from '../../contract/logLevels.ts';
import { decodeLogCursor, encodeLogCursor } from './logCursor.ts';
import { searchLogLines, type LogLineRow } from './sql/readLogLines.ts';
import { countLogLines } from './sql/countLogLines.ts';
import { COUNT_EXACT_UP_TO } from '../db/boundedCount.ts';
import { totalCountFields } from '../graphql/totalCount.ts';

export const LogLevelEnum = builder.enumType(LogLevel, { name: 'LogLevel' });

const LogLineRef = builder.objectRef<LogLineRow>('LogLine').implement({
  description: 'One stored log line. seq numbers a run\'s lines 1, 2, 3 … in the order they were stored.',
  fields: (t) => ({
    seq: t.exposeInt('seq'),
    level: t.expose('level', { type: LogLevelEnum }),
    message: t.exposeString('message', { description: 'As sent, except that a NUL character, or half of a surrogate pair, is stored as U+FFFD.' }),
    timestamp: t.expose('timestamp', { type: 'DateTime', description: "The runner's clock; for display, not ordering." }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime' }),
  }),
});

const JobLogsEnd = builder.objectRef<RunEnd>('JobLogsEnd').implement({
  description: 'How the run ended: its log is complete and the subscription completes after this event.',
  fields: (t) => ({
    status: t.field({ type: RunStatusEnum, resolve: (end) => end.status }),
    retry: t.field({
      type: RunRef,
      nullable: true,
      description: 'The attempt queued to retry this run, when one was queued by the time it ended (a lost run is retried at once; a failed one after a backoff).',
      resolve: (end, _args, ctx) => (end.retryRunId === null ? null : ctx.db.prisma.run.findUnique({ where: { id: end.retryRunId } })),
    }),
  }),
});

const JobLogEvent = builder.objectRef<LogEvent>('JobLogEvent').implement({
  description:
    'A batch of lines in seq order. Resubscribe with afterSeq: lastSeq to resume after a disconnect. ' +
    'The last event of a run that has ended carries `ended` (and no lines), after which the subscription completes.',
  fields: (t) => ({
    jobId: t.id({ resolve: (e) => String(e.runId) }),
    lines: t.field({ type: [LogLineRef], resolve: (e) => e.lines }),
    lastSeq: t.exposeInt('lastSeq', { description: 'The last seq this event covers (lines filtered out by minLevel included).' }),
    ended: t.field({
      type: JobLogsEnd,
      nullable: true,
      description: "Set on the last event, once the run has ended and every one of its lines was sent: the run's final status.",
      resolve: (e) => e.ended ?? null,
    }),
  }),
});

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const MESSAGE_TOO_LARGE = `a message holds at most ${MAX_MESSAGE_BYTES} bytes of UTF-8`;

/**
 * appendLogs' logs: at least one line, each message at most MAX_MESSAGE_BYTES of UTF-8. One plain
 * loop (a Standard Schema, which the validation plugin takes like a zod schema) instead of a zod
 * schema per line: the per-line validators walked and copied every line of every batch.
 */
const logLinesRule: StandardSchemaV1<Array<{ message: string }>> = {
  '~standard': {
    version: 1,
    vendor: 'scrapedeck',
    validate(value) {
      const lines = value as Array<{ message: string }>;
      if (lines.length === 0) return { issues: [{ message: 'a batch holds at least one line', path: [] }] };
      const issues: StandardSchemaV1.Issue[] = [];
      for (let i = 0; i < lines.length; i++) {
        const message = lines[i]!.message;
        // A UTF-16 unit is at most 3 bytes of UTF-8: most messages need no count.
        if (message.length * 3 > MAX_MESSAGE_BYTES && utf8Bytes(message) > MAX_MESSAGE_BYTES) {
          issues.push({ message: MESSAGE_TOO_LARGE, path: [i, 'message'] });
        }
      }
      return issues.length > 0 ? { issues } : { value: lines };
    },
  },
};

const LogLineInput = builder.inputType('LogLineInput', {
  fields: (t) => ({
    level: t.field({ type: LogLevelEnum, required: true }),
    // Size is checked by appendLogs' logs rule, in one loop over the batch: see logLinesRule.
    message: t.string({ required: true }),
    timestamp: t.field({ type: 'DateTime', required: false, description: "The runner's clock; defaults to receipt time." }),
  }),
});

builder.objectType(BatchTooLargeError, {
  name: 'BatchTooLargeError',
  description: `A batch holds at most ${MAX_LINES_PER_BATCH} lines; nothing of it was stored.`,
  interfaces: [ErrorInterface],
  fields: (t) => ({ limit: t.exposeInt('limit'), received: t.exposeInt('received') }),
});

const AppendLogsResult = builder
  .objectRef<{ fromSeq: number; toSeq: number; duplicate: boolean }>('AppendLogsResult')
  .implement({
    fields: (t) => ({
      fromSeq: t.exposeInt('fromSeq'),
      toSeq: t.exposeInt('toSeq'),
      duplicate: t.exposeBoolean('duplicate', { description: 'True when this batchId was stored before: nothing was stored twice.' }),
    }),
  });

builder.mutationFields((t) => ({
  appendLogs: t.field({
    type: AppendLogsResult,
    description:
      'Stores a batch of log lines of a RUNNING run held by the calling runner. Retrying with the same batchId stores nothing ' +
      'twice and returns the first answer, even after the run has ended; a new batch for a run that has ended is refused ' +
      'with RunStateError (its logs stay as they were).',
    authScopes: { runner: true },
    errors: { types: [...MUTATION_ERRORS, BatchTooLargeError, RunStateError] },
    args: {
      jobId: t.arg.id({ required: true }),
      batchId: t.arg.string({
        required: true,
        validate: batchIdRule,
      }),
      logs: t.arg({
        type: [LogLineInput],
        required: true,
        // The count is checked after shape, so that an oversize batch gets its own error type.
        validate: logLinesRule,
      }),
    },
    resolve: async (_root, { jobId, batchId, logs }, ctx) => {
      const appended = await appendLogs(ctx.db, ctx.logWriter, callingRunnerId(ctx), {
        runId: parseId(jobId, 'Run'),
        batchId,
        leaseSeconds: ctx.config.runLeaseSeconds,
        // As coerced: each line has exactly the input's fields, which is what the JSON parameter holds.
        lines: logs,
      });
      ctx.logHub.appended(appended);
      if (!appended.duplicate) ctx.metrics?.logLinesAppended.inc(appended.toSeq - appended.fromSeq + 1);
      return appended;
    },
  }),
}));

const levelsFrom = (minLevel: LogLevel | null | undefined) =>
  minLevel && minLevel !== 'DEBUG' ? LOG_LEVELS.filter((l) => levelRank(l) >= levelRank(minLevel)) : null;

builder.queryFields((t) => ({
  jobLogs: t.connection(
    {
      type: LogLineRef,
      description: "A run's stored log lines in seq order. Cursors are opaque: page with endCursor; any other after is refused with BAD_USER_INPUT.",
      authScopes: { viewer: true },
      args: {
        jobId: t.arg.id({ required: true }),
        minLevel: t.arg({ type: LogLevelEnum, required: false }),
        contains: t.arg.string({ required: false, validate: z.string().max(1000).nullish() }),
      },
      resolve: async (_root, args, ctx) => {
        const filter = { runId: parseId(args.jobId, 'Run'), minLevels: levelsFrom(args.minLevel), contains: args.contains || null };
        const page = await resolveCursorConnection(
          { args, toCursor: (line: LogLineRow) => encodeLogCursor(line.seq), defaultSize: 500, maxSize: 5000 },
          ({ after, limit, inverted }: ResolveCursorConnectionArgs) => {
            if (inverted) throw new GraphQLError('jobLogs pages forward only: use first and after');
            return searchLogLines(ctx.db.pool, { ...filter, afterSeq: after == null ? 0 : decodeLogCursor(after), limit });
          },
        );
        return { ...page, totalCount: () => countLogLines(ctx.db.pool, filter) };
      },
    },
    {
      fields: (t) =>
        totalCountFields(
          t,
          "without contains, exact (from the run's own line counters, or, once retention has deleted its oldest lines, by counting " +
            `up to ${COUNT_EXACT_UP_TO.toLocaleString('en')} stored lines); with contains, exact up to ${COUNT_EXACT_UP_TO.toLocaleString('en')} ` +
            'stored lines of the run, beyond which the share of matches among the first lines, applied to all of them, is an estimate.',
        ),
    },
  ),
}));

builder.subscriptionFields((t) => ({
  jobLogs: t.field({
    type: JobLogEvent,
    description:
      'Replays the stored lines after afterSeq, then streams new ones live, in seq order, with no gap and no repeat. ' +
      'Once the run has ended and its last line was sent, a final event with `ended` comes and the subscription completes ' +
      '(subscribing to a run that has ended replays and completes). ' +
      'A subscriber that falls too far behind gets an error with extensions.code SUBSCRIBER_TOO_SLOW and ' +
      'extensions.resumeAfterSeq, and resumes by subscribing again with that afterSeq.',
    authScopes: { viewer: true },
    args: {
      jobId: t.arg.id({ required: true }),
      afterSeq: t.arg.int({ required: false, defaultValue: 0, validate: z.number().int().min(0).nullish() }),
      minLevel: t.arg({ type: LogLevelEnum, required: false }),
    },
    // A stream that fails (SubscriberTooSlowError, NotFoundError) reaches the client with its code: see errorCodes.ts.
    subscribe: (_root, { jobId, afterSeq, minLevel }, ctx) =>
      ctx.logHub.subscribe(parseId(jobId, 'Run'), afterSeq ?? 0, minLevel ?? 'DEBUG'),
    resolve: (event: LogEvent) => event,
  }),
}));
