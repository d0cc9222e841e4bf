/** Freshness: how old each source's data is, against the thresholds the source promises. */
import type { Source } from '../db/generated/prisma/client.ts';
import { builder } from '../graphql/builder.ts';
import { parseId } from '../graphql/ids.ts';
import { SourceRef } from '../sources/schema.ts';
import { sourceFreshness, type SourceFreshnessRow } from './sql/sourceFreshness.ts';

export const FreshnessStatusEnum = builder.enumType('FreshnessStatus', {
  description: "How a source's age compares with its staleAfterMinutes and criticalAfterMinutes.",
  values: {
    FRESH: { description: 'Delivered products that passed its checks within staleAfterMinutes.' },
    STALE: { description: 'Older than staleAfterMinutes, not yet criticalAfterMinutes.' },
    CRITICAL: { description: 'Older than criticalAfterMinutes, or never delivered products that passed its checks.' },
  } as const,
});

const SourceFreshnessRef = builder.objectRef<SourceFreshnessRow & { source: Source }>('SourceFreshness').implement({
  fields: (t) => ({
    source: t.field({ type: SourceRef, resolve: (f) => f.source }),
    lastDeliveredAt: t.expose('lastDeliveredAt', {
      type: 'DateTime',
      nullable: true,
      description:
        "When the source last delivered products that passed its checks: the completion of the latest of its scrapers' runs that was " +
        'published with products and no VOLUME_DROP (for a run approved later, when it ran). A run that failed, found nothing or was ' +
        'held leaves it where it was. null if the source never delivered.',
    }),
    lastSuccessAt: t.expose('lastDeliveredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'The same as lastDeliveredAt: when the source last delivered products that passed its checks (no longer the latest SUCCESS or WARNING run).',
      deprecationReason: 'Use lastDeliveredAt; freshness is measured from delivered data, not from run outcomes.',
    }),
    ageSeconds: t.exposeInt('ageSeconds', { nullable: true, description: 'Whole seconds since lastDeliveredAt.' }),
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
