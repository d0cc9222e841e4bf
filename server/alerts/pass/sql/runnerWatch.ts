/**
 * Each runner as the alert pass judges it: when it last called in, and the work it held: runs it
 * still holds RUNNING, and runs lost (lease expired) since it was last seen, within the last day.
 */
import type pg from 'pg';

export type RunnerWatch = {
  runnerId: number;
  name: string;
  lastSeenAt: Date | null;
  revoked: boolean;
  /** Its newest run that is RUNNING or was lost since it was last seen; null: it held no work. */
  workRunId: number | null;
};

/** Work lost longer ago than this is history, not a runner to look after now. */
const LOST_WORK_WINDOW = '1 day';

export async function runnerWatch(pool: pg.Pool, now: Date): Promise<RunnerWatch[]> {
  const { rows } = await pool.query<RunnerWatch>({
    name: 'runner_watch',
    text: `SELECT rn.id AS "runnerId", rn.name, rn.last_seen_at AS "lastSeenAt", rn.revoked_at IS NOT NULL AS revoked,
                  -- Two probes of run (runner_id, status, completed_at): a runner's every run is never read.
                  coalesce(
                    (SELECT r.id FROM run r WHERE r.runner_id = rn.id AND r.status = 'RUNNING' ORDER BY r.id DESC LIMIT 1),
                    (SELECT r.id FROM run r
                      WHERE r.runner_id = rn.id AND r.status = 'ERROR' AND r.error_type = 'RUNNER_LOST'
                        AND r.completed_at >= coalesce(rn.last_seen_at, '-infinity')
                        AND r.completed_at > $1::timestamptz - interval '${LOST_WORK_WINDOW}'
                      ORDER BY r.completed_at DESC LIMIT 1)) AS "workRunId"
             FROM runner rn
            ORDER BY rn.id`,
    values: [now],
  });
  return rows;
}

export type OpenOfflineIncident = { ruleId: number; runnerId: number; ruleEnabled: boolean; graceMinutes: number | null };

export async function openOfflineIncidents(pool: pg.Pool): Promise<OpenOfflineIncident[]> {
  const { rows } = await pool.query<OpenOfflineIncident>({
    name: 'open_offline_incidents',
    text: `SELECT i.rule_id AS "ruleId", i.runner_id AS "runnerId", r.enabled AS "ruleEnabled", r.grace_minutes AS "graceMinutes"
             FROM incident i JOIN alert_rule r ON r.id = i.rule_id
            WHERE i.open_key IS NOT NULL AND r.kind = 'RUNNER_OFFLINE' AND i.runner_id IS NOT NULL
            ORDER BY i.id`,
  });
  return rows;
}
