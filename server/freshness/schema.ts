/** Freshness: how old each source's data is, against the thresholds the source promises. */
import type { Source } from '../db/generated/prisma/client.ts';
import { builder } from '../graphql/builder.ts';
import { parseId } from '../graphql/ids.ts';
import { SourceRef } from '../sources/schema.ts';
import { sourceFreshness, type SourceFreshnessRow } from './sql/sourceFreshness.ts';

const FreshnessStatusEnum = builder.enumType('FreshnessStatus', {
  description: "How a source's age compares with its staleAfterMinutes and criticalAfterMinutes.",
  values: {
    FRESH: { description: 'Scraped successfully within staleAfterMinutes.' },
    STALE: { description: 'Older than staleAfterMinutes, not yet criticalAfterMinutes.' },
    CRITICAL: { description: 'Older than criticalAfterMinutes, or never scraped successfully.' },
  } as const,
});

const SourceFreshnessRef = builder.objectRef<SourceFreshnessRow & { source: Source }>('SourceFreshness').implement({
  fields: (t) => ({
    source: t.field({ type: SourceRef, resolve: (f) => f.source }),
    lastSuccessAt: t.expose('lastSuccessAt', {
      type: 'DateTime',
      nullable: true,
      description: "Completion of the latest SUCCESS or WARNING run of the source's scrapers; null if there was none.",
    }),
    ageSeconds: t.exposeInt('ageSeconds', { nullable: true, description: 'Whole seconds since lastSuccessAt.' }),
    status: t.expose('status', { type: FreshnessStatusEnum }),
  }),
});

builder.queryFields((t) => ({
  freshness: t.field({
    type: [SourceFreshnessRef],
    description: 'Every source (or one) with the age of its data and its FreshnessStatus, by source name.',
    authScopes: { viewer: true },
    args: { sourceId: t.arg.id({ required: false }) },
    resolve: async (_root, { sourceId }, ctx) => {
      const rows = await sourceFreshness(ctx.db.pool, sourceId ? parseId(sourceId, 'Source') : null);
      const sources = await ctx.db.prisma.source.findMany({ where: { id: { in: rows.map((r) => r.sourceId) } } });
      const byId = new Map(sources.map((s) => [s.id, s]));
      return rows.flatMap((row) => {
        const source = byId.get(row.sourceId);
        return source ? [{ ...row, source }] : [];
      });
    },
  }),
}));
