/** Alert rules: what fires an alert, for one scraper or all, and snoozing a rule or a scraper's alerts. */
import { FreshnessStatusEnum } from '../../freshness/schema.ts';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseId } from '../../graphql/ids.ts';
import { RUN_WARNING_REASONS, type RunWarningReason } from '../../runs/runWarnings.ts';
import { ScraperRef } from '../../scrapers/schema.ts';
import { RunWarningReasonEnum } from '../../runVerdict/schema.ts';
import { alertRuleInput, DEFAULT_GRACE_MINUTES, snoozeMinutes } from './ruleInput.ts';
import { createAlertRule, deleteAlertRule, snoozeAlertRule, snoozeScraperAlerts, updateAlertRule, type AlertRuleFields } from './ruleOperations.ts';

const AlertRuleKindEnum = builder.enumType('AlertRuleKind', {
  description: 'What fires an alert. Each opens an incident per rule and subject; while it is open, more of the same adds to it without a new notification.',
  values: {
    RUN_ERROR: { description: 'A run ended ERROR. Resolves when a run of the scraper ends SUCCESS or WARNING.' },
    CONSECUTIVE_FAILURES: {
      description:
        'The last `threshold` ended runs of the scraper all ended ERROR (CANCELLED runs are skipped; a WARNING run breaks the streak). Resolves like RUN_ERROR.',
    },
    RUN_WARNING: { description: 'A run ended WARNING for one of `warningReasons` (any, when empty). Resolves on a SUCCESS run, or a WARNING run without those reasons.' },
    SOURCE_FRESHNESS: {
      description:
        "The scraper's source (every source, for a rule without scraper) became `freshnessLevel` (STALE also fires on CRITICAL). Checked by the periodic alert pass; resolves when the source is fresher than that.",
    },
    EXPECTED_RUN_MISSING: {
      description: `A scheduled fire time passed by more than \`graceMinutes\` (default ${DEFAULT_GRACE_MINUTES.EXPECTED_RUN_MISSING}) and no run of the scraper started since: the runners or the scheduler are down. Checked by the periodic alert pass; resolves when a run starts.`,
    },
    RUNNER_OFFLINE: {
      description: `A runner went silent for more than \`graceMinutes\` (default ${DEFAULT_GRACE_MINUTES.RUNNER_OFFLINE}) while it held a run. Checked by the periodic alert pass; resolves when it is seen again. For every runner: takes no scraper.`,
    },
    QUALITY_GATE: { description: "A run broke one of its definition's quality gates (its products are held). Resolves when a run passes its gates." },
  } as const,
});

const KNOWN_REASONS = new Set<string>(RUN_WARNING_REASONS);

export const AlertRuleRef = builder.prismaObject('AlertRule', {
  description: 'What fires an alert, for one scraper or for all, and which channels hear of it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: AlertRuleKindEnum }),
    scraper: t.relation('scraper', { nullable: true, description: 'The scraper watched; null: every scraper.' }),
    threshold: t.exposeInt('threshold', { nullable: true, description: 'CONSECUTIVE_FAILURES: how many ended runs in a row must fail.' }),
    warningReasons: t.field({
      type: [RunWarningReasonEnum],
      description: 'RUN_WARNING: only these reasons fire it; empty: any.',
      resolve: (rule) => rule.warningReasons.filter((reason): reason is RunWarningReason => KNOWN_REASONS.has(reason)),
    }),
    freshnessLevel: t.expose('freshnessLevel', { type: FreshnessStatusEnum, nullable: true, description: 'SOURCE_FRESHNESS: the state that fires it (STALE also fires on CRITICAL).' }),
    graceMinutes: t.exposeInt('graceMinutes', { nullable: true, description: 'EXPECTED_RUN_MISSING and RUNNER_OFFLINE: minutes to wait before firing.' }),
    enabled: t.exposeBoolean('enabled', { description: 'A disabled rule opens nothing; its open incidents still resolve on recovery.' }),
    snoozedUntil: t.expose('snoozedUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'Until then its incidents open and resolve as usual but send nothing (an opening is sent at its first occurrence after).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.objectField(ScraperRef, 'alertsSnoozedUntil', (t) =>
  t.expose('alertsSnoozedUntil', { type: 'DateTime', nullable: true, description: 'Until then no alert about this scraper is sent, whatever the rule.' }),
);

const AlertRuleInput = builder.inputType('AlertRuleInput', {
  description: 'A rule whole: what it watches, the fields its kind takes (the others left out) and its channels.',
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: AlertRuleKindEnum, required: true }),
    scraperId: t.id({ required: false, description: 'The scraper watched; left out: every scraper.' }),
    threshold: t.int({ required: false, description: 'CONSECUTIVE_FAILURES (required): 2 to 100.' }),
    warningReasons: t.field({ type: [RunWarningReasonEnum], required: false, description: 'RUN_WARNING: the reasons that fire it; left out or empty: any.' }),
    freshnessLevel: t.field({ type: FreshnessStatusEnum, required: false, description: 'SOURCE_FRESHNESS (required): STALE or CRITICAL.' }),
    graceMinutes: t.int({
      required: false,
      description: `EXPECTED_RUN_MISSING and RUNNER_OFFLINE: 1 to 10080; defaults to ${DEFAULT_GRACE_MINUTES.EXPECTED_RUN_MISSING} and ${DEFAULT_GRACE_MINUTES.RUNNER_OFFLINE}.`,
    }),
    channelIds: t.idList({ required: true, description: 'The channels that hear of its incidents (at most 20); empty: incidents are recorded only.' }),
    enabled: t.boolean({ required: false, description: 'Defaults to true.' }),
  }),
});

type AlertRuleInputShape = typeof AlertRuleInput.$inferInput;

function ruleFields(input: AlertRuleInputShape): AlertRuleFields {
  return {
    name: input.name.trim(),
    kind: input.kind,
    scraperId: input.scraperId == null ? null : parseId(input.scraperId, 'Scraper'),
    threshold: input.threshold ?? null,
    warningReasons: [...new Set(input.warningReasons ?? [])],
    freshnessLevel: input.freshnessLevel ?? null,
    graceMinutes: input.graceMinutes ?? null,
    channelIds: [...new Set(input.channelIds.map((id) => parseId(id, 'AlertChannel')))],
    enabled: input.enabled ?? true,
  };
}

builder.queryFields((t) => ({
  alertRules: t.prismaField({
    type: ['AlertRule'],
    description: 'Every alert rule, by name.',
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) => ctx.db.prisma.alertRule.findMany({ ...query, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
  }),
}));

builder.mutationFields((t) => ({
  createAlertRule: t.field({
    type: AlertRuleRef,
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { input: t.arg({ type: AlertRuleInput, required: true, validate: alertRuleInput }) },
    resolve: (_root, { input }, ctx) => createAlertRule(ctx.db, ruleFields(input)),
  }),
  updateAlertRule: t.field({
    type: AlertRuleRef,
    description: 'Replaces the rule whole. A rule that now watches another kind or scraper resolves its open incidents.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: AlertRuleInput, required: true, validate: alertRuleInput }) },
    resolve: async (_root, { id, input }, ctx) => {
      const { rule, resolvedIncidentIds } = await updateAlertRule(ctx.db, parseId(id, 'AlertRule'), ruleFields(input));
      ctx.incidentEvents.announce(resolvedIncidentIds);
      return rule;
    },
  }),
  deleteAlertRule: t.field({
    type: 'ID',
    description: 'Deletes the rule with its incidents; answers its id.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => String(await deleteAlertRule(ctx.db, parseId(id, 'AlertRule'))),
  }),
  snoozeAlertRule: t.field({
    type: AlertRuleRef,
    description: 'Sends nothing of the rule for `minutes` (up to 30 days) from now; 0 ends a snooze.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { id: t.arg.id({ required: true }), minutes: t.arg.int({ required: true, validate: snoozeMinutes }) },
    resolve: (_root, { id, minutes }, ctx) => snoozeAlertRule(ctx.db, parseId(id, 'AlertRule'), minutes),
  }),
  snoozeScraperAlerts: t.field({
    type: ScraperRef,
    description: 'Sends nothing about the scraper, whatever the rule, for `minutes` (up to 30 days) from now; 0 ends a snooze.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { scraperId: t.arg.id({ required: true }), minutes: t.arg.int({ required: true, validate: snoozeMinutes }) },
    resolve: (_root, { scraperId, minutes }, ctx) => snoozeScraperAlerts(ctx.db, parseId(scraperId, 'Scraper'), minutes),
  }),
}));
