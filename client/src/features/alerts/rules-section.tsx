/** Alert rules: what fires, for which scraper, to which channels; admins create, edit, delete and snooze them. */
import { useState } from 'react';
import { useMutation } from 'urql';
import { ActionProblem, Empty } from '@/components/async-state';
import { Badge } from '@/components/badge';
import { StackTable, type Column } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import type { AlertRuleFieldsFragment } from '@/gql/graphql';
import { DateTime } from '@/components/date-time';
import { useCanMutate } from '@/lib/session';
import { RULE_KINDS, RuleForm } from './rule-form';
import { SnoozeControl } from './snooze-control';

// Spread by the Alerts page's query (codegen reads it from here).
graphql(`
  fragment AlertRuleFields on AlertRule {
    id
    name
    kind
    scraper {
      id
      name
    }
    threshold
    warningReasons
    freshnessLevel
    graceMinutes
    enabled
    snoozedUntil
    channels {
      id
      name
    }
    createdAt
  }
`);

const DeleteAlertRuleMutation = graphql(`
  mutation DeleteAlertRule($id: ID!) {
    deleteAlertRule(id: $id) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const SnoozeAlertRuleMutation = graphql(`
  mutation SnoozeAlertRule($id: ID!, $minutes: Int!) {
    snoozeAlertRule(id: $id, minutes: $minutes) {
      __typename
      ... on MutationSnoozeAlertRuleSuccess {
        data {
          id
          snoozedUntil
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

/** The settings of the rule's kind, in words. */
function settingsOf(rule: AlertRuleFieldsFragment): string {
  switch (rule.kind) {
    case 'CONSECUTIVE_FAILURES':
      return `${rule.threshold ?? '?'} in a row`;
    case 'RUN_WARNING':
      return rule.warningReasons.length ? rule.warningReasons.join(', ') : 'any reason';
    case 'SOURCE_FRESHNESS':
      return rule.freshnessLevel ?? '—';
    case 'EXPECTED_RUN_MISSING':
    case 'RUNNER_OFFLINE':
      return rule.graceMinutes == null ? 'default grace' : `${rule.graceMinutes} min grace`;
    default:
      return '—';
  }
}

const isSnoozed = (rule: AlertRuleFieldsFragment) => rule.snoozedUntil != null && new Date(rule.snoozedUntil) > new Date();
const COLUMNS: Column[] = ['Rule', 'Fires when', 'Scraper', 'Settings', 'Channels', 'State'];
type Option = { id: string; name: string };

function RuleRow({ rule, scrapers, channels, onChanged }: { rule: AlertRuleFieldsFragment; scrapers: Option[]; channels: Option[]; onChanged: () => void }) {
  const canMutate = useCanMutate();
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [deleting, remove] = useMutation(DeleteAlertRuleMutation);
  const [snoozing, snooze] = useMutation(SnoozeAlertRuleMutation);

  async function act(result: Promise<{ error?: { message: string }; outcome?: { __typename: string; message?: string } | null }>) {
    setProblem(null);
    const { error, outcome } = await result;
    const failure = error?.message ?? outcome?.message ?? null;
    setProblem(failure);
    if (failure === null) onChanged();
  }

  return (
    <>
      <tr data-rule={rule.name}>
        <td data-label="Rule" className="text-cell">
          <strong>{rule.name}</strong>
        </td>
        <td data-label="Fires when">{RULE_KINDS[rule.kind]}</td>
        <td data-label="Scraper" className="text-cell">{rule.kind === 'RUNNER_OFFLINE' ? 'every runner' : (rule.scraper?.name ?? 'All scrapers')}</td>
        <td data-label="Settings">{settingsOf(rule)}</td>
        <td data-label="Channels" className="text-cell">{rule.channels.map((c) => c.name).join(', ') || 'none (recorded only)'}</td>
        <td data-label="State">
          <span className="badges badges--inline">
            <Badge tone={rule.enabled ? 'good' : 'neutral'}>{rule.enabled ? 'Enabled' : 'Disabled'}</Badge>
            {isSnoozed(rule) && <Badge tone="warn">Snoozed until <DateTime value={rule.snoozedUntil} /></Badge>}
          </span>
        </td>
        {canMutate && (
          <td data-label="Actions">
            <div className="row-actions">
              <button type="button" className="button button--small" aria-expanded={editing} onClick={() => setEditing((v) => !v)}>
                {editing ? 'Close' : 'Edit'}
              </button>
              {confirmDelete ? (
                <>
                  <button type="button" className="button button--small button--danger" disabled={deleting.fetching} onClick={() => act(remove({ id: rule.id }).then((r) => ({ error: r.error, outcome: r.data?.deleteAlertRule })))}>
                    Delete for good
                  </button>
                  <button type="button" className="button button--small" onClick={() => setConfirmDelete(false)}>
                    Keep
                  </button>
                </>
              ) : (
                <button type="button" className="button button--small" onClick={() => setConfirmDelete(true)}>
                  Delete
                </button>
              )}
              <SnoozeControl
                label={`Snooze rule ${rule.name}`}
                snoozedUntil={rule.snoozedUntil}
                busy={snoozing.fetching}
                onSnooze={(minutes) => act(snooze({ id: rule.id, minutes }).then((r) => ({ error: r.error, outcome: r.data?.snoozeAlertRule })))}
              />
            </div>
            <ActionProblem problem={problem} />
          </td>
        )}
      </tr>
      {canMutate && editing && (
        <tr className="row-editor">
          <td colSpan={COLUMNS.length + 1}>
            <RuleForm
              rule={rule}
              scrapers={scrapers}
              channels={channels}
              onDone={(saved) => {
                setEditing(false);
                if (saved) onChanged();
              }}
            />
          </td>
        </tr>
      )}
    </>
  );
}

export function RulesSection({ rules, scrapers, channels, onChanged }: { rules: AlertRuleFieldsFragment[]; scrapers: Option[]; channels: Option[]; onChanged: () => void }) {
  const canMutate = useCanMutate();
  const [creating, setCreating] = useState(false);
  return (
    <section aria-labelledby="rules-title" className="alerts-section">
      <div className="title-row">
        <h2 id="rules-title">Rules</h2>
        {canMutate && (
          <button type="button" className="button" aria-expanded={creating} onClick={() => setCreating((v) => !v)}>
            {creating ? 'Close' : 'New rule'}
          </button>
        )}
      </div>
      {canMutate && creating && (
        <div className="card">
          <RuleForm
            scrapers={scrapers}
            channels={channels}
            onDone={(saved) => {
              setCreating(false);
              if (saved) onChanged();
            }}
          />
        </div>
      )}
      {rules.length === 0 ? (
        <Empty>No rules yet: nothing fires an alert.</Empty>
      ) : (
        <StackTable columns={canMutate ? [...COLUMNS, 'Actions'] : COLUMNS} caption="Alert rules" testId="rules-table">
          {rules.map((rule) => (
            <RuleRow key={rule.id} rule={rule} scrapers={scrapers} channels={channels} onChanged={onChanged} />
          ))}
        </StackTable>
      )}
    </section>
  );
}
