/**
 * Exports in the schema: the queries that hand a caller a single-use link to an export (and its
 * path for scripts), so that integrators find the export endpoints from the schema.
 */
import { z } from 'zod';
import { builder } from '../graphql/builder.ts';
import type { Context } from '../graphql/context.ts';
import { parseId } from '../graphql/ids.ts';
import { NotFoundError } from '../domainErrors.ts';
import { LogLevelEnum } from '../logs/schema.ts';
import { ProductFilterInput, ProductSortEnum, SortDirectionEnum, toProductFilter } from '../products/schema.ts';
import { RunFilterInput } from '../runs/schema.ts';
import { createExportLink, EXPORT_LINK_SECONDS, type ExportLink } from './createExportLink.ts';
import { exportCredential } from './exportCredential.ts';
import { MAX_CONTAINS_LENGTH, type ExportRequest } from './exportRequest.ts';

const ExportFormatEnum = builder.enumType('ExportFormat', {
  description: 'How an export is written. See docs/exports.md for the exact rules.',
  values: {
    CSV: { description: 'RFC 4180 CSV in UTF-8 with a header row and CRLF line ends; text that a spreadsheet would run as a formula starts with an apostrophe.' },
    NDJSON: { description: 'One JSON object per line, with the GraphQL field names.' },
    TXT: { description: 'Run logs only: one line per log line, seq, timestamp, level and message separated by tabs.' },
  },
});

const ExportLinkRef = builder.objectRef<ExportLink>('ExportLink').implement({
  description: 'Where to download an export.',
  fields: (t) => ({
    url: t.exposeString('url', {
      description: `An absolute URL that downloads the export once, within ${EXPORT_LINK_SECONDS} seconds, with no other credential: for a browser. It holds a single-use secret, never a token.`,
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When url stops working (it also stops once used).' }),
    path: t.exposeString('path', {
      description: 'The same export for scripts, relative to this server: GET it with `Authorization: Bearer <token>`, as often as needed.',
    }),
  }),
});

const formatOf = <F extends string>(allowed: readonly F[]) =>
  z.enum(allowed as [F, ...F[]], { message: `this export is written as ${allowed.join(' or ')}` });

function link(ctx: Context, request: ExportRequest): Promise<ExportLink> {
  // The field's auth scope admits admins and viewers only, who always have a credential.
  const credential = exportCredential(ctx.principal);
  if (!credential) throw new Error('an export link was asked for by a caller who may not export');
  return createExportLink(ctx.db, ctx.config.publicUrl, credential, request);
}

const lower = <F extends string>(format: F) => format.toLowerCase() as Lowercase<F>;

builder.queryFields((t) => ({
  productsExport: t.field({
    type: ExportLinkRef,
    description:
      'A link to every product the filter selects, in the order asked for, as CSV or NDJSON (GET /export/products.csv or .ndjson); ' +
      'with filter published: true, with the values of their last published run, as products returns them.',
    authScopes: { viewer: true },
    args: {
      format: t.arg({ type: ExportFormatEnum, required: true, validate: formatOf(['CSV', 'NDJSON'] as const) }),
      filter: t.arg({ type: ProductFilterInput, required: false }),
      sort: t.arg({ type: ProductSortEnum, required: false, defaultValue: 'NAME' }),
      direction: t.arg({ type: SortDirectionEnum, required: false, defaultValue: 'ASC' }),
    },
    resolve: (_root, args, ctx) =>
      link(ctx, {
        kind: 'products',
        format: lower(args.format as 'CSV' | 'NDJSON'),
        filter: toProductFilter(args.filter),
        sort: args.sort ?? 'NAME',
        direction: args.direction ?? 'ASC',
      }),
  }),
  runsExport: t.field({
    type: ExportLinkRef,
    description: 'A link to every run the filter selects, newest first, as CSV or NDJSON (GET /export/runs.csv or .ndjson).',
    authScopes: { viewer: true },
    args: {
      format: t.arg({ type: ExportFormatEnum, required: true, validate: formatOf(['CSV', 'NDJSON'] as const) }),
      filter: t.arg({ type: RunFilterInput, required: false }),
    },
    resolve: (_root, { format, filter }, ctx) =>
      link(ctx, {
        kind: 'runs',
        format: lower(format as 'CSV' | 'NDJSON'),
        filter: {
          scraperId: filter?.scraperId ? parseId(filter.scraperId, 'Scraper') : null,
          status: filter?.status ?? null,
          triggeredBy: filter?.triggeredBy ?? null,
          since: filter?.since ?? null,
        },
      }),
  }),
  runLogsExport: t.field({
    type: ExportLinkRef,
    description:
      "A link to a run's stored log lines in seq order, as NDJSON or TXT (GET /export/runs/:id/logs.ndjson or .txt); " +
      'minLevel and contains select lines exactly as they do in jobLogs.',
    authScopes: { viewer: true },
    args: {
      jobId: t.arg.id({ required: true }),
      format: t.arg({ type: ExportFormatEnum, required: true, validate: formatOf(['NDJSON', 'TXT'] as const) }),
      minLevel: t.arg({ type: LogLevelEnum, required: false }),
      contains: t.arg.string({ required: false, validate: z.string().max(MAX_CONTAINS_LENGTH).nullish() }),
    },
    resolve: async (_root, { jobId, format, minLevel, contains }, ctx) => {
      const runId = parseId(jobId, 'Run');
      if (!(await ctx.db.prisma.run.findUnique({ where: { id: runId }, select: { id: true } }))) throw new NotFoundError('Run', jobId);
      return link(ctx, { kind: 'runLogs', format: lower(format as 'NDJSON' | 'TXT'), runId, minLevel: minLevel ?? null, contains: contains || null });
    },
  }),
}));
