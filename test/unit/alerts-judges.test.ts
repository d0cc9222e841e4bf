import { describe, expect, it } from 'vitest';
import { judgeRunEnded } from '../../server/alerts/incidents/judgeRunEnded.ts';
import type { EndedRun } from '../../server/alerts/incidents/sql/readEndedRun.ts';
import { judgeFreshness, meetsLevel } from '../../server/alerts/pass/judgeFreshness.ts';
import { describeMissingRun, missedFireAt } from '../../server/alerts/pass/judgeMissingRun.ts';
import type { ScraperScheduleWatch } from '../../server/alerts/pass/sql/scheduleWatch.ts';
import type { RuleRow } from '../../server/alerts/rules/sql/enabledRules.ts';

const rule = (id: number, kind: RuleRow['kind'], fields: Partial<RuleRow> = {}): RuleRow => ({
  id,
  kind,
  scraperId: null,
  threshold: null,
  warningReasons: [],
  freshnessLevel: null,
  graceMinutes: null,
  ...fields,
});

const run = (status: EndedRun['status'], warnings: unknown = []): EndedRun => ({
  id: 7,
  scraperId: 1,
  scraperName: 'Shop',
  status,
  warnings,
  errorType: status === 'ERROR' ? 'HTTP_ERROR' : null,
  errorMessage: status === 'ERROR' ? '503' : null,
});

const RULES = [rule(1, 'RUN_ERROR'), rule(2, 'CONSECUTIVE_FAILURES', { threshold: 3 }), rule(3, 'RUN_WARNING', { warningReasons: ['VOLUME_DROP'] }), rule(4, 'QUALITY_GATE')];

describe('judgeRunEnded', () => {
  it('raises RUN_ERROR on every failure and CONSECUTIVE_FAILURES from the threshold on', () => {
    expect(judgeRunEnded(run('ERROR'), RULES, 2).raises.map((r) => r.ruleId)).toEqual([1]);
    expect(judgeRunEnded(run('ERROR'), RULES, 3).raises.map((r) => [r.ruleId, r.reason])).toEqual([
      [1, 'RUN_ERROR'],
      [2, 'CONSECUTIVE_FAILURES'],
    ]);
    expect(judgeRunEnded(run('ERROR'), RULES, 3).recoveries).toEqual([]);
  });

  it('raises RUN_WARNING for its reasons and QUALITY_GATE for a gate, and resolves the failure kinds', () => {
    const drop = { reason: 'VOLUME_DROP', message: 'few', expected: 40, actual: 2, gate: null };
    const { raises, recoveries } = judgeRunEnded(run('WARNING', [drop, { reason: 'NOT_A_REASON' }]), RULES, 0);
    expect(raises).toMatchObject([{ ruleId: 3, reason: 'VOLUME_DROP', figures: { expected: 40, actual: 2 } }]);
    expect(recoveries).toMatchObject([
      { kinds: ['RUN_ERROR', 'CONSECUTIVE_FAILURES'], ruleId: null },
      { kinds: ['QUALITY_GATE'], ruleId: 4 },
    ]);
  });

  it('a rule for any warning fires on a WARNING that names no known reason', () => {
    expect(judgeRunEnded(run('WARNING', 'not a list'), [rule(5, 'RUN_WARNING')], 0).raises).toMatchObject([{ ruleId: 5, reason: 'FLAGS_RAISED' }]);
  });

  it('SUCCESS resolves every run kind; CANCELLED changes nothing', () => {
    expect(judgeRunEnded(run('SUCCESS'), RULES, 0)).toEqual({ raises: [], recoveries: [{ kinds: ['RUN_ERROR', 'CONSECUTIVE_FAILURES', 'RUN_WARNING', 'QUALITY_GATE'], ruleId: null, message: 'Run 7 ended SUCCESS' }] });
    expect(judgeRunEnded(run('CANCELLED'), RULES, 5)).toEqual({ raises: [], recoveries: [] });
  });
});

describe('judgeFreshness', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  const source = (ageMinutes: number, rules: Array<{ level: 'STALE' | 'CRITICAL'; open: boolean; enabled?: boolean; applies?: boolean }>) => ({
    sourceId: 1,
    name: 'S',
    since: new Date(now.getTime() - ageMinutes * 60_000),
    delivered: true,
    staleAfterMinutes: 60,
    criticalAfterMinutes: 120,
    stored: null,
    rules: rules.map((r, i) => ({ ruleId: i + 1, ruleScraperId: null, enabled: true, applies: true, ...r })),
  });

  it('STALE fires on STALE and CRITICAL, CRITICAL on CRITICAL only', () => {
    expect([meetsLevel('FRESH', 'STALE'), meetsLevel('STALE', 'STALE'), meetsLevel('CRITICAL', 'STALE')]).toEqual([false, true, true]);
    expect([meetsLevel('STALE', 'CRITICAL'), meetsLevel('CRITICAL', 'CRITICAL')]).toEqual([false, true]);
  });

  it('opens what is not open yet, resolves what no longer holds, and leaves a disabled rule to the recovery', () => {
    const stale = judgeFreshness(source(90, [{ level: 'STALE', open: false }, { level: 'CRITICAL', open: true }, { level: 'STALE', open: true, enabled: false }]), now);
    expect(stale.state).toBe('STALE');
    expect(stale.open.map((r) => r.ruleId)).toEqual([1]);
    expect(stale.resolve.map((r) => r.ruleId)).toEqual([2]);
    const fresh = judgeFreshness(source(5, [{ level: 'STALE', open: true, enabled: false }]), now);
    expect(fresh.resolve.map((r) => r.ruleId)).toEqual([1]);
  });
});

describe('missedFireAt', () => {
  const watch = (fields: Partial<ScraperScheduleWatch>): ScraperScheduleWatch => ({
    scraperId: 1,
    name: 'S',
    cron: '0 * * * *',
    timezone: 'UTC',
    scheduled: true,
    watchedSince: new Date('2026-12-06T00:00:00Z'),
    lastStartedAt: null,
    running: false,
    queuedRunId: null,
    queuedAt: null,
    queuedLabels: null,
    ...fields,
  });

  it('names the fire time past the grace whose run never started', () => {
    expect(missedFireAt(watch({}), 10, new Date('2026-12-06T12:09:00Z'))).toEqual(new Date('2026-12-06T11:00:00Z'));
    expect(missedFireAt(watch({}), 10, new Date('2026-12-06T12:10:00Z'))).toEqual(new Date('2026-12-06T12:00:00Z'));
  });

  it('is satisfied by a run started since, one running, a schedule younger than the fire time, or no schedule', () => {
    const now = new Date('2026-12-06T12:30:00Z');
    expect(missedFireAt(watch({ lastStartedAt: new Date('2026-12-06T12:00:05Z') }), 10, now)).toBeNull();
    expect(missedFireAt(watch({ running: true }), 10, now)).toBeNull();
    expect(missedFireAt(watch({ watchedSince: new Date('2026-12-06T12:01:00Z') }), 10, now)).toBeNull();
    expect(missedFireAt(watch({ scheduled: false }), 10, now)).toBeNull();
  });

  it('says whether the run waits for any runner, for labelled ones, or was never queued', () => {
    const fireAt = new Date('2026-12-06T12:00:00Z');
    const queued = { queuedRunId: 7, queuedAt: new Date('2026-12-06T12:00:01Z') };
    expect(describeMissingRun(watch({ ...queued, queuedLabels: [] }), fireAt, 10)).toContain('Run 7 has been waiting for a runner since 2026-12-06T12:00:01.000Z: are the runners down?');
    expect(describeMissingRun(watch({ ...queued, queuedLabels: ['eu'] }), fireAt, 10)).toContain(
      'Run 7 has been waiting for a runner labelled eu since 2026-12-06T12:00:01.000Z: are the runners with those labels down?',
    );
    expect(describeMissingRun(watch({}), fireAt, 10)).toContain('No run is waiting either: is the scheduler down?');
  });
});
