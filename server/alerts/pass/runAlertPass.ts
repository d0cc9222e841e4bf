/**
 * One alert pass at a given moment: store each source's freshness (opening or resolving
 * SOURCE_FRESHNESS incidents as it changes), find expected runs that never started and runners that
 * went offline with work, and tell openings that a snooze kept quiet. `now` is a parameter so that
 * tests drive time directly. Every step is safe to run on several instances at once: the incidents'
 * open_key decides, and each change is made on a locked row.
 */
import type pg from 'pg';
import type { Logger } from '../../logger.ts';
import { findMissingRuns } from './findMissingRuns.ts';
import { findOfflineRunners } from './findOfflineRunners.ts';
import { noticeLateOpenings } from './noticeLateOpenings.ts';
import { storeFreshness } from './storeFreshness.ts';

export type AlertPassResult = {
  /** The incidents the pass changed, for a live bus that is told after commit. */
  changed: number[];
  /** Steps that failed (logged); the others ran, and the next pass tries them all again. */
  failedSteps: string[];
};

export async function runAlertPass(pool: pg.Pool, logger: Logger, now: Date): Promise<AlertPassResult> {
  const steps = { freshness: storeFreshness, missingRuns: findMissingRuns, offlineRunners: findOfflineRunners, lateOpenings: noticeLateOpenings };
  const changed: number[] = [];
  const failedSteps: string[] = [];
  for (const [step, run] of Object.entries(steps)) {
    try {
      changed.push(...(await run(pool, now)));
    } catch (error) {
      // One step's failure must not keep the others from running.
      logger.error({ err: error, step }, 'alert pass step failed');
      failedSteps.push(step);
    }
  }
  if (changed.length > 0) logger.info({ at: now.toISOString(), incidents: changed }, 'alert pass changed incidents');
  return { changed, failedSteps };
}
