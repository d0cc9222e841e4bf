/**
 * How a scraper is doing, judged over the runs that ended SUCCESS, WARNING or ERROR in the window
 * (a cancellation judges nothing): only SUCCESS counts as success.
 */
export type HealthState = 'HEALTHY' | 'DEGRADED' | 'FAILING' | 'NO_DATA';

/**
 * At this share of ERROR runs a scraper is FAILING. Failing is judged on errors, not on the success
 * rate: a scraper whose runs all end WARNING still delivers (its data needs a look), so it is
 * DEGRADED, while one whose runs break is FAILING.
 */
export const FAILING_ERROR_SHARE = 0.5;
/** Under this success rate a scraper is DEGRADED. */
export const DEGRADED_BELOW = 0.9;

export type JudgedRuns = { success: number; warning: number; error: number; latestEndedStatus: 'SUCCESS' | 'WARNING' | 'ERROR' | null };

/** SUCCESS over SUCCESS + WARNING + ERROR, 0..1; null when none ended. */
export function successRate(runs: JudgedRuns): number | null {
  const judged = runs.success + runs.warning + runs.error;
  return judged === 0 ? null : runs.success / judged;
}

export function healthState(runs: JudgedRuns): HealthState {
  const rate = successRate(runs);
  if (rate === null || runs.latestEndedStatus === null) return 'NO_DATA';
  const errorShare = runs.error / (runs.success + runs.warning + runs.error);
  if (runs.latestEndedStatus === 'ERROR' || errorShare >= FAILING_ERROR_SHARE) return 'FAILING';
  if (runs.latestEndedStatus === 'WARNING' || rate < DEGRADED_BELOW) return 'DEGRADED';
  return 'HEALTHY';
}
