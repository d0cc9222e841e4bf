/**
 * What the alert pass needs to see runs that never started: every scraper with its schedule, when
 * its latest run started, whether one is running or waiting, and the open EXPECTED_RUN_MISSING
 * incidents with their rules.
 */
import type pg from 'pg';

export type ScraperScheduleWatch = {
  scraperId: number;
  name: string;
  cron: string | null;
  timezone: string;
  /** Enabled, not paused, with a cron: the scheduler owes it runs. */
  scheduled: boolean;
  /** Fire times before this do not count: the scraper was made, or its schedule changed, enabled or resumed, after them. */
  watchedSince: Date;
  lastStartedAt: Date | null;
  running: boolean;
  /** The oldest run waiting for a runner, if any: then the runners are down rather than the scheduler. */
  queuedRunId: number | null;
  queuedAt: Date | null;
  /** The labels that run asks of a runner ([] when none). */
  queuedLabels: string[] | null;
};

export async function scheduleWatch(pool: pg.Pool): Promise<ScraperScheduleWatch[]> {
  const { rows } = await pool.query<ScraperScheduleWatch>({
    name: 'schedule_watch',
    // updated_at moves whenever an admin changes the scraper (schedule, enabled, paused) and never
    // for the scheduler's own bookkeeping, so it bounds the fire times the scraper is answerable for.
    text: `SELECT s.id AS "scraperId", s.name, s.cron, s.timezone,
                  (s.enabled AND NOT s.paused AND s.cron IS NOT NULL) AS scheduled,
                  greatest(s.created_at, s.updated_at) AS "watchedSince",
                  (SELECT r.started_at FROM run r WHERE r.scraper_id = s.id AND r.started_at IS NOT NULL
                    ORDER BY r.queued_at DESC, r.id DESC LIMIT 1) AS "lastStartedAt",
                  EXISTS (SELECT 1 FROM run r WHERE r.scraper_id = s.id AND r.status = 'RUNNING') AS running,
                  q.id AS "queuedRunId", q.queued_at AS "queuedAt", q.required_labels AS "queuedLabels"
             FROM scraper s
             LEFT JOIN LATERAL (SELECT r.id, r.queued_at, r.required_labels FROM run r WHERE r.scraper_id = s.id AND r.status = 'QUEUED'
                                 ORDER BY r.queued_at, r.id LIMIT 1) q ON true
            WHERE (s.enabled AND NOT s.paused AND s.cron IS NOT NULL)
               OR EXISTS (SELECT 1 FROM incident i JOIN alert_rule ar ON ar.id = i.rule_id
                           WHERE i.scraper_id = s.id AND i.open_key IS NOT NULL AND ar.kind = 'EXPECTED_RUN_MISSING')
            ORDER BY s.id`,
  });
  return rows;
}

export type OpenMissingIncident = { incidentId: number; ruleId: number; scraperId: number; ruleEnabled: boolean; ruleScraperId: number | null; graceMinutes: number | null };

export async function openMissingRunIncidents(pool: pg.Pool): Promise<OpenMissingIncident[]> {
  const { rows } = await pool.query<OpenMissingIncident>({
    name: 'open_missing_run_incidents',
    text: `SELECT i.id AS "incidentId", i.rule_id AS "ruleId", i.scraper_id AS "scraperId", r.enabled AS "ruleEnabled",
                  r.scraper_id AS "ruleScraperId", r.grace_minutes AS "graceMinutes"
             FROM incident i JOIN alert_rule r ON r.id = i.rule_id
            WHERE i.open_key IS NOT NULL AND r.kind = 'EXPECTED_RUN_MISSING' AND i.scraper_id IS NOT NULL
            ORDER BY i.id`,
  });
  return rows;
}
