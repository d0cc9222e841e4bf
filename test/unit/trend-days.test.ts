/** The figures derived from a rollup row on read: rates, totals and shares. */
import { describe, expect, it } from 'vitest';
import { percentileCont, scraperTrendDay, sourceTrendDay } from '../../server/trends/trendDays.ts';

const scraperRow = { scraperId: 1, timezone: 'UTC', day: '2026-03-01', durations: [], productsFound: 0, warningLines: 0, errorLines: 0 };

describe('a scraper trend day', () => {
  it('counts cancelled runs among the runs but not in the success rate', () => {
    expect(scraperTrendDay({ ...scraperRow, succeeded: 3, warned: 1, failed: 0, cancelled: 2 })).toMatchObject({ runs: 6, successRate: 0.75 });
  });

  it('has no success rate on a day of cancelled runs only, or of none', () => {
    expect(scraperTrendDay({ ...scraperRow, succeeded: 0, warned: 0, failed: 0, cancelled: 1 })).toMatchObject({ runs: 1, successRate: null });
    expect(scraperTrendDay({ ...scraperRow, succeeded: 0, warned: 0, failed: 0, cancelled: 0 })).toMatchObject({ runs: 0, successRate: null });
  });
});

describe('durations', () => {
  it('give p50 and p95 interpolated as percentile_cont does, whatever order they were stored in', () => {
    const day = scraperTrendDay({ ...scraperRow, succeeded: 5, warned: 0, failed: 0, cancelled: 0, durations: [50, 10, 40, 20, 30] });
    expect(day).toMatchObject({ durationP50: 30, durationP95: 48 });
    expect(percentileCont([7], 0.95)).toBe(7);
    expect(percentileCont([], 0.5)).toBeNull();
    expect(percentileCont([1, 2], 0.5)).toBe(1.5);
  });
});

describe('a source trend day', () => {
  it('shares missing fields over all products and categories over the categorised ones, largest first', () => {
    const day = sourceTrendDay({
      day: '2026-03-01',
      products: 10,
      missing: [{ field: 'brand', count: 4 }],
      categories: { vapes: 2, flower: 6 },
      outliers: 1,
      drift: 0.2,
      driftCategories: [{ category: 'flower', share: 0.75, trailingShare: 0.5 }],
    });
    expect(day.missing).toEqual([{ field: 'brand', count: 4, share: 0.4 }]);
    expect(day.categories).toEqual([
      { category: 'flower', count: 6, share: 0.75 },
      { category: 'vapes', count: 2, share: 0.25 },
    ]);
    expect(day.driftCategories).toEqual([{ category: 'flower', share: 0.75, trailingShare: 0.5, change: 0.25 }]);
  });

  it('is zeros and empty lists on a day without a delivery', () => {
    expect(sourceTrendDay({ day: '2026-03-02', products: null, missing: null, categories: null, outliers: null, drift: null, driftCategories: null })).toEqual({
      day: '2026-03-02',
      products: 0,
      missing: [],
      categories: [],
      outliers: 0,
      drift: null,
      driftCategories: [],
    });
  });
});
