/** Turns rollup rows into the figures the trends report: rates and shares, derived on read. */
import type { ScraperTrendDayRow } from './sql/readScraperTrends.ts';
import type { CategoryMove, FieldCount, SourceTrendDayRow } from './sql/readSourceTrends.ts';

export type ScraperTrendDay = Omit<ScraperTrendDayRow, 'durations'> & {
  runs: number;
  successRate: number | null;
  durationP50: number | null;
  durationP95: number | null;
};

export type SourceTrendDay = {
  day: string;
  products: number;
  missing: Array<FieldCount & { share: number }>;
  categories: Array<{ category: string; count: number; share: number }>;
  outliers: number;
  drift: number | null;
  driftCategories: Array<CategoryMove & { change: number }>;
};

/** PostgreSQL's percentile_cont: interpolated between the two nearest values; null without values. */
export function percentileCont(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const position = fraction * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

export function scraperTrendDay({ durations, ...row }: ScraperTrendDayRow): ScraperTrendDay {
  // A cancelled run was stopped by a person and judges nothing, as in health's successRate.
  const judged = row.succeeded + row.warned + row.failed;
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    ...row,
    runs: judged + row.cancelled,
    successRate: judged === 0 ? null : row.succeeded / judged,
    durationP50: percentileCont(sorted, 0.5),
    durationP95: percentileCont(sorted, 0.95),
  };
}

export function sourceTrendDay(row: SourceTrendDayRow): SourceTrendDay {
  const products = row.products ?? 0;
  const categories = Object.entries(row.categories ?? {});
  const categorised = categories.reduce((sum, [, count]) => sum + count, 0);
  return {
    day: row.day,
    products,
    missing: (row.missing ?? []).map((m) => ({ ...m, share: products === 0 ? 0 : m.count / products })),
    categories: categories
      .map(([category, count]) => ({ category, count, share: count / categorised }))
      .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
    outliers: row.outliers ?? 0,
    drift: row.drift,
    driftCategories: (row.driftCategories ?? []).map((m) => ({ ...m, change: m.share - m.trailingShare })),
  };
}
