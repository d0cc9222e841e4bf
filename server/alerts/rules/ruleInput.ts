/**
 * The zod rules for an alert rule's input, as a whole: every field's range and what each kind needs
 * (and takes), so that every problem is reported at once. Whether ids name rows is the operation's to say.
 */
import { z } from 'zod';
import { RUN_WARNING_REASONS } from '../../runs/runWarnings.ts';
import { displayName } from '../../sources/inputRules.ts';

export const ALERT_RULE_KINDS = ['RUN_ERROR', 'CONSECUTIVE_FAILURES', 'RUN_WARNING', 'SOURCE_FRESHNESS', 'EXPECTED_RUN_MISSING', 'RUNNER_OFFLINE', 'QUALITY_GATE'] as const;

/** Minutes a rule waits when it names no grace: enough for a queued run to be claimed, or a busy runner to call in. */
export const DEFAULT_GRACE_MINUTES = { EXPECTED_RUN_MISSING: 10, RUNNER_OFFLINE: 5 } as const;

const MAX_CHANNELS_PER_RULE = 20;
const MAX_THRESHOLD = 100;
const MAX_GRACE_MINUTES = 7 * 24 * 60;

const id = z.union([z.string(), z.number()]);

/** Which fields a kind takes, beyond the ones every rule has. */
const TAKES = {
  threshold: ['CONSECUTIVE_FAILURES'],
  warningReasons: ['RUN_WARNING'],
  freshnessLevel: ['SOURCE_FRESHNESS'],
  graceMinutes: ['EXPECTED_RUN_MISSING', 'RUNNER_OFFLINE'],
} as const satisfies Record<string, ReadonlyArray<(typeof ALERT_RULE_KINDS)[number]>>;

export const alertRuleInput = z
  .looseObject({
    name: displayName(200),
    kind: z.enum(ALERT_RULE_KINDS),
    scraperId: id.nullish(),
    threshold: z.number().int().min(2, 'must be at least 2: one failure is RUN_ERROR').max(MAX_THRESHOLD, `must be at most ${MAX_THRESHOLD}`).nullish(),
    warningReasons: z.array(z.enum(RUN_WARNING_REASONS)).max(RUN_WARNING_REASONS.length).nullish(),
    freshnessLevel: z.enum(['FRESH', 'STALE', 'CRITICAL']).nullish(),
    graceMinutes: z.number().int().min(1, 'must be at least 1').max(MAX_GRACE_MINUTES, `must be at most ${MAX_GRACE_MINUTES} (a week)`).nullish(),
    channelIds: z.array(id).max(MAX_CHANNELS_PER_RULE, `must name at most ${MAX_CHANNELS_PER_RULE} channels`),
    enabled: z.boolean().nullish(),
  })
  .superRefine((input, ctx) => {
    for (const [field, kinds] of Object.entries(TAKES) as Array<[keyof typeof TAKES, readonly string[]]>) {
      const value = input[field];
      const given = value != null && !(Array.isArray(value) && value.length === 0);
      if (given && !kinds.includes(input.kind)) ctx.addIssue({ code: 'custom', path: [field], message: `only ${kinds.join(' and ')} rules take ${field}` });
    }
    if (input.kind === 'CONSECUTIVE_FAILURES' && input.threshold == null) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'a CONSECUTIVE_FAILURES rule needs a threshold (at least 2)' });
    }
    if (input.kind === 'SOURCE_FRESHNESS' && input.freshnessLevel !== 'STALE' && input.freshnessLevel !== 'CRITICAL') {
      ctx.addIssue({ code: 'custom', path: ['freshnessLevel'], message: 'a SOURCE_FRESHNESS rule needs freshnessLevel STALE (fires on STALE or CRITICAL) or CRITICAL' });
    }
    if (input.kind === 'RUNNER_OFFLINE' && input.scraperId != null) {
      ctx.addIssue({ code: 'custom', path: ['scraperId'], message: 'a RUNNER_OFFLINE rule watches runners, not a scraper: leave scraperId out' });
    }
  });

/** The minutes a rule's snooze may last: up to 30 days; 0 ends a snooze. */
export const snoozeMinutes = z.number().int().min(0, 'must be at least 0 (0 ends the snooze)').max(30 * 24 * 60, 'must be at most 43200 (30 days)');
