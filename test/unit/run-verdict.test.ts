/** The verdict on a run that ended, and a scraper's health state: pure rules over measured figures. */
import { describe, expect, it } from 'vitest';
import type { RunQuality } from '../../server/quality/sql/measureRunQuality.ts';
import { judgeRun } from '../../server/runVerdict/judgeRun.ts';
import type { RunExpectations } from '../../server/scrapers/runExpectations.ts';
import { healthState, successRate } from '../../server/scraperHealth/healthState.ts';

const quality = (overrides: Partial<RunQuality> = {}): RunQuality => ({
  productCount: 10,
  missingFields: [{ field: 'price', missing: 0, percent: 0 }],
  outliers: 0,
  duplicates: 0,
  ...overrides,
});
const expectations = (overrides: Partial<RunExpectations> = {}): RunExpectations => ({
  scrapedFields: ['price'],
  minProducts: null,
  volumeDropRatio: 0.5,
  gates: {},
  categoryAliases: {},
  ...overrides,
});
const figures = (overrides: { flagsCreated?: number; quality?: RunQuality; learnedVolume?: number | null } = {}) => ({
  flagsCreated: 0,
  quality: quality(),
  learnedVolume: null,
  ...overrides,
});

describe('judgeRun', () => {
  it('publishes a clean run as SUCCESS and lets it count as delivered', () => {
    expect(judgeRun({ status: 'SUCCESS', productsFound: 10 }, figures({ learnedVolume: 12 }), expectations())).toEqual({
      status: 'SUCCESS',
      warnings: [],
      expectedProducts: 12,
      publication: 'PUBLISHED',
      delivered: true,
    });
  });

  it('calls a run that found nothing a volume drop even before anything was learned, unless minProducts is 0', () => {
    const empty = figures({ quality: quality({ productCount: 0 }) });
    const verdict = judgeRun({ status: 'SUCCESS', productsFound: 0 }, empty, expectations());
    expect(verdict).toMatchObject({ status: 'WARNING', publication: 'NONE', delivered: false, expectedProducts: null });
    expect(verdict.warnings).toEqual([{ reason: 'VOLUME_DROP', message: 'Found no products', expected: null, actual: 0, gate: null }]);
    expect(judgeRun({ status: 'SUCCESS', productsFound: 0 }, empty, expectations({ minProducts: 0 }))).toMatchObject({ status: 'SUCCESS', warnings: [] });
  });

  it('prefers the definition’s minProducts to the learned volume and applies the ratio to it', () => {
    const verdict = judgeRun({ status: 'SUCCESS', productsFound: 7 }, figures({ learnedVolume: 8 }), expectations({ minProducts: 20, volumeDropRatio: 0.4 }));
    expect(verdict.expectedProducts).toBe(20);
    expect(verdict.warnings).toMatchObject([{ reason: 'VOLUME_DROP', expected: 20, actual: 7 }]);
    // A drop is still published (no gate broke), but it is no delivery: freshness does not move.
    expect(verdict).toMatchObject({ publication: 'PUBLISHED', delivered: false });
    expect(judgeRun({ status: 'SUCCESS', productsFound: 8 }, figures(), expectations({ minProducts: 20, volumeDropRatio: 0.4 })).status).toBe('SUCCESS');
  });

  it('holds a run that breaks a gate, naming the gate with its limit and the measured value', () => {
    const gaps = quality({ missingFields: [{ field: 'price', missing: 3, percent: 30 }] });
    const verdict = judgeRun({ status: 'SUCCESS', productsFound: 10 }, figures({ quality: gaps }), expectations({ gates: { maxMissingPercent: { price: 25 } } }));
    expect(verdict).toMatchObject({ status: 'WARNING', publication: 'HELD', delivered: false });
    expect(verdict.warnings).toMatchObject([{ reason: 'QUALITY_GATE', gate: 'maxMissingPercent.price', expected: 25, actual: 30 }]);
    // At the limit is within it.
    const atLimit = judgeRun({ status: 'SUCCESS', productsFound: 10 }, figures({ quality: gaps }), expectations({ gates: { maxMissingPercent: { price: 30 } } }));
    expect(atLimit).toMatchObject({ status: 'SUCCESS', publication: 'PUBLISHED' });
  });

  it('lists every reason of a WARNING: flags, and the runner’s own warning with its message', () => {
    const verdict = judgeRun({ status: 'WARNING', productsFound: 10, errorMessage: '2 of 10 SKUs failed' }, figures({ flagsCreated: 3 }), expectations());
    expect(verdict.warnings.map((w) => [w.reason, w.actual, w.message])).toEqual([
      ['FLAGS_RAISED', 3, '3 new flags for the cleanup queue'],
      ['RUNNER_REPORTED', null, '2 of 10 SKUs failed'],
    ]);
    expect(verdict).toMatchObject({ status: 'WARNING', publication: 'PUBLISHED', delivered: true });
  });

  it('leaves a failed run ERROR, unpublished and without warnings', () => {
    expect(judgeRun({ status: 'ERROR', productsFound: 0 }, figures({ flagsCreated: 2 }), expectations({ minProducts: 5 }))).toEqual({
      status: 'ERROR',
      warnings: [],
      expectedProducts: 5,
      publication: 'NONE',
      delivered: false,
    });
  });
});

describe('healthState', () => {
  const runs = (success: number, warning: number, error: number, latestEndedStatus: 'SUCCESS' | 'WARNING' | 'ERROR' | null) => ({ success, warning, error, latestEndedStatus });

  it('counts only SUCCESS as success', () => {
    expect(successRate(runs(1, 1, 0, 'SUCCESS'))).toBe(0.5);
    expect(successRate(runs(0, 0, 0, null))).toBeNull();
  });

  it('judges by the latest ended run first, then by the share of errors and the success rate', () => {
    expect(healthState(runs(0, 0, 0, null))).toBe('NO_DATA');
    expect(healthState(runs(9, 0, 1, 'ERROR'))).toBe('FAILING');
    expect(healthState(runs(5, 0, 5, 'SUCCESS'))).toBe('FAILING');
    expect(healthState(runs(2, 0, 3, 'SUCCESS'))).toBe('FAILING');
    // Runs that end WARNING deliver, with something to look at: degraded, never failing.
    expect(healthState(runs(4, 5, 0, 'SUCCESS'))).toBe('DEGRADED');
    expect(healthState(runs(0, 3, 0, 'WARNING'))).toBe('DEGRADED');
    expect(healthState(runs(6, 0, 4, 'SUCCESS'))).toBe('DEGRADED');
    expect(healthState(runs(9, 1, 0, 'WARNING'))).toBe('DEGRADED');
    expect(healthState(runs(8, 0, 2, 'SUCCESS'))).toBe('DEGRADED');
    expect(healthState(runs(9, 0, 1, 'SUCCESS'))).toBe('HEALTHY');
  });
});
