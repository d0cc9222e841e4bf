/**
 * The alert pass's runner step: a runner that went silent for more than a rule's grace while it
 * held work (a run RUNNING, or lost since it was last seen) opens a RUNNER_OFFLINE incident, once;
 * it resolves when the runner calls in again, is revoked, or holds no work any more.
 */
import type pg from 'pg';
import { withTransaction } from '../../db/withTransaction.ts';
import { raise, recover } from '../incidents/incidentLifecycle.ts';
import { runnerSubject } from '../incidents/subject.ts';
import { DEFAULT_GRACE_MINUTES } from '../rules/ruleInput.ts';
import { enabledRules } from '../rules/sql/enabledRules.ts';
import { openOfflineIncidents, runnerWatch, type RunnerWatch } from './sql/runnerWatch.ts';

const graceOf = (graceMinutes: number | null) => graceMinutes ?? DEFAULT_GRACE_MINUTES.RUNNER_OFFLINE;

function isOfflineWithWork(runner: RunnerWatch, graceMinutes: number, now: Date): boolean {
  if (runner.revoked || runner.workRunId === null) return false;
  return runner.lastSeenAt === null || runner.lastSeenAt.getTime() < now.getTime() - graceMinutes * 60_000;
}

/** The ids of the incidents it changed. */
export async function findOfflineRunners(pool: pg.Pool, now: Date): Promise<number[]> {
  const [runners, rules, open] = await Promise.all([runnerWatch(pool, now), enabledRules(pool, ['RUNNER_OFFLINE'], null), openOfflineIncidents(pool)]);
  const runnerById = new Map(runners.map((r) => [r.runnerId, r]));
  const changed: number[] = [];

  for (const incident of open) {
    const runner = runnerById.get(incident.runnerId);
    if (runner && isOfflineWithWork(runner, graceOf(incident.graceMinutes), now)) continue;
    const message = !runner
      ? 'The runner was deleted'
      : runner.revoked
        ? `Runner ${runner.name} was revoked`
        : runner.workRunId === null
          ? `Runner ${runner.name} holds no work any more`
          : `Runner ${runner.name} called in again${runner.lastSeenAt ? ` at ${runner.lastSeenAt.toISOString()}` : ''}`;
    const subjectKey = runnerSubject(incident.runnerId).key;
    changed.push(...(await withTransaction(pool, (client) => recover(client, { subjectKey, kinds: ['RUNNER_OFFLINE'], ruleId: incident.ruleId, message, runId: null }))));
  }

  const alreadyOpen = new Set(open.map((incident) => `${incident.ruleId}:${incident.runnerId}`));
  for (const rule of rules) {
    for (const runner of runners) {
      const grace = graceOf(rule.graceMinutes);
      if (alreadyOpen.has(`${rule.id}:${runner.runnerId}`) || !isOfflineWithWork(runner, grace, now)) continue;
      const since = runner.lastSeenAt ? `since ${runner.lastSeenAt.toISOString()}` : 'ever';
      const detail = `Runner ${runner.name} has not called in ${since} (grace ${grace} minutes) while it held run ${runner.workRunId}.`;
      const id = await withTransaction(pool, (client) =>
        raise(client, {
          ruleId: rule.id,
          subject: runnerSubject(runner.runnerId),
          title: `Runner ${runner.name} is offline`,
          reason: 'RUNNER_OFFLINE',
          detail,
          message: detail,
          runId: runner.workRunId,
          recur: false,
        }),
      );
      if (id !== null) changed.push(id);
    }
  }
  return changed;
}
