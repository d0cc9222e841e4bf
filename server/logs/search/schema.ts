/** Log search across runs: searchLogs, its filter, its matches with their offsets, and its typed errors. */
import type { StandardSchemaV1 } from '@pothos/plugin-validation';
import { LOG_LEVELS, levelRank, type LogLevelName } from '../../../contract/logLevels.ts';
import { builder } from '../../graphql/builder.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseId } from '../../graphql/ids.ts';
import { RunRef } from '../../runs/schema.ts';
import { ScraperRef } from '../../scrapers/schema.ts';
import { LogLevelEnum } from '../schema.ts';
import { LogSearchTimeoutError } from './errors.ts';
import { findLogMatches, type LogMatchRow } from './findLogMatches.ts';
import { matchRanges, type TextRange } from './matchRanges.ts';
import { decodeSearchCursor, encodeSearchCursor } from './searchCursor.ts';
import { DEFAULT_PAGE, INDEXED_MIN_LEVEL, MAX_PAGE, MAX_QUERY, MIN_INDEXED_QUERY, NARROW_WINDOW_MS, searchProblem } from './searchLimits.ts';

type LogMatch = LogMatchRow & { matches: TextRange[] };

const TextRangeRef = builder.objectRef<TextRange>('TextRange').implement({
  description: 'A stretch of a text: its start and length in UTF-16 code units (JS string indices).',
  fields: (t) => ({ start: t.exposeInt('start'), length: t.exposeInt('length') }),
});

const LogMatchRef = builder.objectRef<LogMatch>('LogMatch').implement({
  description: 'A stored log line that matched a search, with the run and scraper it belongs to.',
  fields: (t) => ({
    id: t.id({ description: '"<runId>:<seq>"', resolve: (m) => `${m.runId}:${m.seq}` }),
    // findUnique calls of one tick are batched by Prisma into one query per page.
    run: t.field({ type: RunRef, resolve: (m, _args, ctx) => ctx.db.prisma.run.findUniqueOrThrow({ where: { id: m.runId } }) }),
    scraper: t.field({ type: ScraperRef, resolve: (m, _args, ctx) => ctx.db.prisma.scraper.findUniqueOrThrow({ where: { id: m.scraperId } }) }),
    seq: t.exposeInt('seq'),
    level: t.expose('level', { type: LogLevelEnum }),
    message: t.exposeString('message', { description: 'As stored: hostile text from the web, to be shown as text.' }),
    timestamp: t.expose('timestamp', { type: 'DateTime', description: "The runner's clock; for display, not ordering." }),
    matches: t.field({
      type: [TextRangeRef],
      description:
        'Every occurrence of the query in message, case-insensitively (each character folded to its lowercase, as the search does), ' +
        'left to right and not overlapping; offsets in UTF-16 code units (JS string indices). Never markup.',
      resolve: (m) => m.matches,
    }),
  }),
});

const LogSearchConnection = builder.connectionObject({ type: LogMatchRef, name: 'LogSearchConnection' }, { name: 'LogSearchEdge' });

builder.objectType(LogSearchTimeoutError, {
  name: 'LogSearchTimeoutError',
  description: 'The search ran past its statement timeout and was stopped; nothing holds on to it. Narrow it and search again.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ seconds: t.exposeFloat('seconds', { description: 'The timeout it ran into.' }) }),
});

const LogSearchFilter = builder.inputType('LogSearchFilter', {
  fields: (t) => ({
    scraperId: t.id({ required: false }),
    minLevel: t.field({
      type: LogLevelEnum,
      required: false,
      description: `Lines at this level or above; ${INDEXED_MIN_LEVEL} when absent (the lines the index holds). A lower level searches every line and needs a narrowing filter.`,
    }),
    since: t.field({ type: 'DateTime', required: false, description: 'Lines the server received at or after this time.' }),
    until: t.field({ type: 'DateTime', required: false, description: 'Lines the server received before this time.' }),
  }),
});

type SearchArgs = {
  query: string;
  filter?: { scraperId?: string | null; minLevel?: LogLevelName | null; since?: Date | null; until?: Date | null } | null;
  first?: number | null;
  after?: string | null;
};

/** The refusals that come before any work: a query too short for the index with nothing narrowing it, a bad size. */
const searchRule: StandardSchemaV1<SearchArgs> = {
  '~standard': {
    version: 1,
    vendor: 'scrapedeck',
    validate(value) {
      const args = value as SearchArgs;
      if (args.first != null && (args.first < 1 || args.first > MAX_PAGE)) {
        return { issues: [{ path: ['first'], message: `first is 1 to ${MAX_PAGE}` }] };
      }
      const problem = searchProblem({
        query: args.query,
        scraperId: args.filter?.scraperId ?? null,
        minLevel: args.filter?.minLevel ?? null,
        since: args.filter?.since ?? null,
        until: args.filter?.until ?? null,
      });
      return problem ? { issues: [problem] } : { value: args };
    },
  },
};

const levelsFrom = (minLevel: LogLevelName) => (minLevel === 'DEBUG' ? null : LOG_LEVELS.filter((l) => levelRank(l) >= levelRank(minLevel)));

builder.queryFields((t) => ({
  searchLogs: t.field({
    type: LogSearchConnection,
    description:
      'Log lines of every run whose message contains query, case-insensitively, every character taken literally (quotes, %, _ and \\ too); ' +
      `newest first, by run then seq. Lines at ${INDEXED_MIN_LEVEL} and above unless filter.minLevel says otherwise. ` +
      `A query of ${MIN_INDEXED_QUERY} to ${MAX_QUERY} characters at ${INDEXED_MIN_LEVEL} and above uses the index; a shorter one, or a lower minLevel, ` +
      `needs a scraperId or a since..until window of at most ${NARROW_WINDOW_MS / 3_600_000} hours, or is refused with ValidationError before any work. ` +
      `first: 1 to ${MAX_PAGE} (default ${DEFAULT_PAGE}); page with endCursor. ` +
      'A search that runs past the server\'s timeout (LOG_SEARCH_TIMEOUT_SECONDS) stops with LogSearchTimeoutError.',
    authScopes: { viewer: true },
    // ValidationError for refused input, NotFoundError for a scraperId that is no id.
    errors: { types: [...MUTATION_ERRORS, LogSearchTimeoutError] },
    args: {
      query: t.arg.string({ required: true }),
      filter: t.arg({ type: LogSearchFilter, required: false }),
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
    },
    validate: searchRule,
    resolve: async (_root, args, ctx) => {
      const limit = args.first ?? DEFAULT_PAGE;
      const filter = args.filter;
      const rows = await findLogMatches(ctx.logSearch.pool, ctx.logSearch.timeoutSeconds, {
        query: args.query,
        scraperId: filter?.scraperId == null ? null : parseId(filter.scraperId, 'Scraper'),
        levels: levelsFrom(filter?.minLevel ?? INDEXED_MIN_LEVEL),
        since: filter?.since ?? null,
        until: filter?.until ?? null,
        after: args.after == null || args.after === '' ? null : decodeSearchCursor(args.after),
        // One more than the page tells whether another page follows.
        limit: limit + 1,
      });
      const edges = rows.slice(0, limit).map((row) => ({
        cursor: encodeSearchCursor(row),
        node: { ...row, matches: matchRanges(row.message, args.query) },
      }));
      return {
        edges,
        pageInfo: {
          hasNextPage: rows.length > limit,
          hasPreviousPage: args.after != null && args.after !== '',
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
}));
