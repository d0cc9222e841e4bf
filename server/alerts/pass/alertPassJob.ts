/** The alert pass as the scheduler's periodic job: about once per ALERT_PASS_INTERVAL_SECONDS, on one instance at a time. */
import type pg from 'pg';
import type { Logger } from '../../logger.ts';
import type { PeriodicJob } from '../../scheduler/periodicJob.ts';
import { runAlertPass } from './runAlertPass.ts';

const ALERT_PASS_QUEUE = 'alert-pass';

export function alertPassJob(options: {
  pool: pg.Pool;
  logger: Logger;
  intervalSeconds: number;
  incidentEvents: { announce(incidentIds: number[]): void };
}): PeriodicJob {
  return {
    queue: ALERT_PASS_QUEUE,
    intervalSeconds: options.intervalSeconds,
    async run(now) {
      const { changed, failedSteps } = await runAlertPass(options.pool, options.logger, now);
      options.incidentEvents.announce(changed);
      // Recorded as a failed job (each step's error is logged already); the next pass tries again.
      if (failedSteps.length > 0) throw new Error(`alert pass steps failed: ${failedSteps.join(', ')}`);
    },
  };
}
