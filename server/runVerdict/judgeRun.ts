/**
 * The verdict on a run that just ended: its final status, why it is WARNING (each reason with its
 * figures), and whether its products are published, held or have nothing to publish. Pure: the
 * figures are measured by the caller, inside the transaction that ends the run.
 */
import type { RunQuality } from '../quality/sql/measureRunQuality.ts';
import type { RunExpectations } from '../scrapers/runExpectations.ts';
import type { RunWarning } from '../runs/runWarnings.ts';

export type RunReport = {
  /** What the runner said. */
  status: 'SUCCESS' | 'WARNING' | 'ERROR';
  productsFound: number;
  errorMessage?: string | null;
};

export type RunFigures = {
  /** Flags the run's product reports raised. */
  flagsCreated: number;
  quality: RunQuality;
  /** Learned from the scraper's history; null while it has too few good runs. */
  learnedVolume: number | null;
};

export type Verdict = {
  status: 'SUCCESS' | 'WARNING' | 'ERROR';
  warnings: RunWarning[];
  expectedProducts: number | null;
  /** PUBLISHED: its products become what published reads return; HELD: a gate stops them. */
  publication: 'NONE' | 'PUBLISHED' | 'HELD';
  /** Whether the source's data counts as fresh from this run: published, with products, no volume drop. */
  delivered: boolean;
};

const warning = (reason: RunWarning['reason'], message: string, figures: Partial<Pick<RunWarning, 'expected' | 'actual' | 'gate'>> = {}): RunWarning => ({
  reason,
  message,
  expected: figures.expected ?? null,
  actual: figures.actual ?? null,
  gate: figures.gate ?? null,
});

function volumeWarning(found: number, expected: number | null, expectations: RunExpectations): RunWarning | null {
  // minProducts: 0 declares that a run finding nothing is normal for this scraper.
  if (found === 0 && expectations.minProducts !== 0) {
    return warning('VOLUME_DROP', expected ? `Found no products; about ${expected} expected` : 'Found no products', { expected, actual: 0 });
  }
  if (expected !== null && found < expected * expectations.volumeDropRatio) {
    const share = Math.round(expectations.volumeDropRatio * 100);
    return warning('VOLUME_DROP', `Found ${found} products, under ${share}% of the ${expected} expected`, { expected, actual: found });
  }
  return null;
}

function brokenGates(report: RunReport, quality: RunQuality, expectations: RunExpectations): RunWarning[] {
  const { gates } = expectations;
  const broken: RunWarning[] = [];
  const check = (gate: string, limit: number | undefined, actual: number, breaks: (limit: number) => boolean, what: string) => {
    if (limit !== undefined && breaks(limit)) broken.push(warning('QUALITY_GATE', `Gate ${gate} broken: ${what}`, { gate, expected: limit, actual }));
  };
  check('minProducts', gates.minProducts, report.productsFound, (l) => report.productsFound < l, `found ${report.productsFound} products, at least ${gates.minProducts} required`);
  for (const { field, percent, missing } of quality.missingFields) {
    const limit = gates.maxMissingPercent?.[field];
    const shown = Math.round(percent * 10) / 10;
    check(`maxMissingPercent.${field}`, limit, percent, (l) => percent > l, `${shown}% of products (${missing}) lack ${field}, at most ${limit}% allowed`);
  }
  check('maxOutliers', gates.maxOutliers, quality.outliers, (l) => quality.outliers > l, `${quality.outliers} price outliers, at most ${gates.maxOutliers} allowed`);
  check('maxDuplicates', gates.maxDuplicates, quality.duplicates, (l) => quality.duplicates > l, `${quality.duplicates} duplicates, at most ${gates.maxDuplicates} allowed`);
  return broken;
}

export function judgeRun(report: RunReport, figures: RunFigures, expectations: RunExpectations): Verdict {
  const expectedProducts = expectations.minProducts ?? figures.learnedVolume;
  // A failed run is judged by its error; its partial products are stored but not published.
  if (report.status === 'ERROR') return { status: 'ERROR', warnings: [], expectedProducts, publication: 'NONE', delivered: false };
  const volume = volumeWarning(report.productsFound, expectedProducts, expectations);
  const gates = brokenGates(report, figures.quality, expectations);
  const warnings = [
    ...(volume ? [volume] : []),
    ...gates,
    ...(figures.flagsCreated > 0 ? [warning('FLAGS_RAISED', `${figures.flagsCreated} new flags for the cleanup queue`, { actual: figures.flagsCreated })] : []),
    ...(report.status === 'WARNING' ? [warning('RUNNER_REPORTED', report.errorMessage || 'The runner reported a warning')] : []),
  ];
  const publication = figures.quality.productCount === 0 ? 'NONE' : gates.length > 0 ? 'HELD' : 'PUBLISHED';
  return {
    status: warnings.length > 0 ? 'WARNING' : 'SUCCESS',
    warnings,
    expectedProducts,
    publication,
    delivered: publication === 'PUBLISHED' && report.productsFound > 0 && !volume,
  };
}
