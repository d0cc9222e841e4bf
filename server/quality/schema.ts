/** Quality: how complete and plausible the scraped products are, overall or for one source. */
import { z } from 'zod';
import type { Product, Source } from '../db/generated/prisma/client.ts';
import { builder } from '../graphql/builder.ts';
import { parseId } from '../graphql/ids.ts';
import { MIN_PRICES_FOR_OUTLIERS } from '../products/outlierThreshold.ts';
import { ProductRef } from '../products/schema.ts';
import { SourceRef } from '../sources/schema.ts';
import { categoryCounts } from './sql/categoryCounts.ts';
import { missingFields, type MissingFieldsRow } from './sql/missingFields.ts';
import { PRICE_OUTLIER_RULE } from './sql/priceFences.ts';
import { priceOutliers, type PriceOutlierRow } from './sql/priceOutliers.ts';

const MAX_OUTLIERS = 1000;

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

const MissingFieldStats = builder.objectRef<MissingFieldsRow>('MissingFieldStats').implement({
  description: 'How many products lack a THC value, a CBD value or a brand; each ratio is 0..1 (0 when there are no products).',
  fields: (t) => ({
    products: t.exposeInt('products'),
    missingThc: t.exposeInt('missingThc'),
    missingCbd: t.exposeInt('missingCbd'),
    missingBrand: t.exposeInt('missingBrand'),
    missingThcRatio: t.float({ resolve: (m) => ratio(m.missingThc, m.products) }),
    missingCbdRatio: t.float({ resolve: (m) => ratio(m.missingCbd, m.products) }),
    missingBrandRatio: t.float({ resolve: (m) => ratio(m.missingBrand, m.products) }),
  }),
});

const SourceQuality = builder.objectRef<{ source: Source; missingFields: MissingFieldsRow }>('SourceQuality').implement({
  fields: (t) => ({
    source: t.field({ type: SourceRef, resolve: (q) => q.source }),
    missingFields: t.field({ type: MissingFieldStats, resolve: (q) => q.missingFields }),
  }),
});

const CategoryCount = builder.objectRef<{ category: string | null; count: number }>('CategoryCount').implement({
  fields: (t) => ({
    category: t.exposeString('category', { nullable: true, description: 'null for products without a category.' }),
    count: t.exposeInt('count'),
  }),
});

const PriceOutlier = builder.objectRef<PriceOutlierRow & { product: Product }>('PriceOutlier').implement({
  description: `A product whose price is an outlier. ${PRICE_OUTLIER_RULE}`,
  fields: (t) => ({
    product: t.field({ type: ProductRef, resolve: (o) => o.product }),
    price: t.exposeFloat('price'),
    category: t.exposeString('category'),
    q1: t.exposeFloat('q1'),
    q3: t.exposeFloat('q3'),
    lowerBound: t.exposeFloat('lowerBound'),
    upperBound: t.exposeFloat('upperBound'),
  }),
});

type Scope = { sourceId: number | null; missing?: Promise<MissingFieldsRow[]> };

/** missingFields and bySource come from one statement: run it once per request, not once per field. */
const missingFieldsOf = (scope: Scope, pool: Parameters<typeof missingFields>[0]) =>
  (scope.missing ??= missingFields(pool, scope.sourceId));

/** Each part runs its own statement only when the query asks for it. */
const QualityReport = builder.objectRef<Scope>('QualityReport').implement({
  description: 'Data quality of the products in scope: all sources, or the one named by sourceId.',
  fields: (t) => ({
    missingFields: t.field({
      type: MissingFieldStats,
      description: 'Over every product in scope.',
      resolve: async (scope, _args, ctx) => {
        const rows = await missingFieldsOf(scope, ctx.db.pool);
        return rows.find((r) => r.sourceId === null) ?? { sourceId: null, products: 0, missingThc: 0, missingCbd: 0, missingBrand: 0 };
      },
    }),
    bySource: t.field({
      type: [SourceQuality],
      description: 'Per source in scope, by source name; sources without products included.',
      resolve: async (scope, _args, ctx) => {
        const rows = (await missingFieldsOf(scope, ctx.db.pool)).filter((r) => r.sourceId !== null);
        const sources = await ctx.db.prisma.source.findMany({ where: { id: { in: rows.map((r) => r.sourceId!) } } });
        const byId = new Map(sources.map((s) => [s.id, s]));
        return rows.flatMap((row) => {
          const source = byId.get(row.sourceId!);
          return source ? [{ source, missingFields: row }] : [];
        });
      },
    }),
    categories: t.field({
      type: [CategoryCount],
      description: 'Products per category, largest first.',
      resolve: (scope, _args, ctx) => categoryCounts(ctx.db.pool, scope.sourceId),
    }),
    outlierRule: t.string({
      description: 'What a price outlier is, in words: the one rule Data quality and the cleanup flags both apply.',
      resolve: () => PRICE_OUTLIER_RULE,
    }),
    priceOutliers: t.field({
      type: [PriceOutlier],
      description: `Price outliers, by category then price (highest first). The cleanup queue flags the same products.`,
      args: {
        limit: t.arg.int({
          required: false,
          defaultValue: 100,
          validate: z.number().int().min(1).max(MAX_OUTLIERS, `limit must be at most ${MAX_OUTLIERS}`).nullish(),
        }),
      },
      resolve: async (scope, { limit }, ctx) => {
        const rows = await priceOutliers(ctx.db.pool, { sourceId: scope.sourceId, minSamples: MIN_PRICES_FOR_OUTLIERS, limit: limit ?? 100 });
        const products = await ctx.db.prisma.product.findMany({ where: { id: { in: rows.map((r) => r.productId) } } });
        const byId = new Map(products.map((p) => [p.id, p]));
        return rows.flatMap((row) => {
          const product = byId.get(row.productId);
          return product ? [{ ...row, product }] : [];
        });
      },
    }),
  }),
});

builder.queryFields((t) => ({
  quality: t.field({
    type: QualityReport,
    description: 'Missing fields, category distribution and price outliers of the scraped products.',
    authScopes: { viewer: true },
    args: { sourceId: t.arg.id({ required: false }) },
    resolve: (_root, { sourceId }) => ({ sourceId: sourceId ? parseId(sourceId, 'Source') : null }),
  }),
}));
