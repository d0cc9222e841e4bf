/** Alert channels: kind, masked URL, enabled or why not, recent notifications; admins create, enable, test and delete. */
import { useState } from 'react';
import { useMutation } from 'urql';
import { ActionProblem, Empty } from '@/components/async-state';
import { Badge } from '@/components/badge';
import { graphql } from '@/gql/gql';
import type { AlertChannelFieldsFragment, NotificationFieldsFragment } from '@/gql/graphql';
import { useCanMutate } from '@/lib/session';
import { ChannelForm } from './channel-form';
import { mergeNotifications } from './newest';
import { NotificationList } from './notification-list';

// Spread by the Alerts page's query (codegen reads it from here).
graphql(`
  fragment AlertChannelFields on AlertChannel {
    id
    name
    kind
    enabled
    disabledReason
    url
    hasSecret
    recipients
    createdAt
    notifications(first: 5) {
      ...NotificationFields
    }
  }
`);

const UpdateAlertChannelMutation = graphql(`
  mutation SetAlertChannelEnabled($id: ID!, $enabled: Boolean!) {
    updateAlertChannel(id: $id, input: { enabled: $enabled }) {
      __typename
      ... on MutationUpdateAlertChannelSuccess {
        data {
          id
          enabled
          disabledReason
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const DeleteAlertChannelMutation = graphql(`
  mutation DeleteAlertChannel($id: ID!) {
    deleteAlertChannel(id: $id) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const TestChannelMutation = graphql(`
  mutation TestChannel($id: ID!) {
    testChannel(id: $id) {
      __typename
      ... on MutationTestChannelSuccess {
        data {
          ...NotificationFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const RECENT = 5;

/** The channel's recent notifications with the live ones (a test just sent, a delivery attempt) merged in, newest first. */
function recentOf(channel: AlertChannelFieldsFragment, live: ReadonlyMap<string, NotificationFieldsFragment>): NotificationFieldsFragment[] {
  return mergeNotifications(channel.notifications, live.values(), (n) => n.channel.id === channel.id)
    .sort((a, b) => Number(b.id) - Number(a.id))
    .slice(0, RECENT);
}

function target(channel: AlertChannelFieldsFragment): string {
  if (channel.kind === 'EMAIL') return channel.recipients.join(', ') || '—';
  return channel.url ?? '—';
}

function ChannelCard({ channel, live, onChanged, onNotification }: { channel: AlertChannelFieldsFragment; live: ReadonlyMap<string, NotificationFieldsFragment>; onChanged: () => void; onNotification: (n: NotificationFieldsFragment) => void }) {
  const canMutate = useCanMutate();
  const [problem, setProblem] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [updating, update] = useMutation(UpdateAlertChannelMutation);
  const [deleting, remove] = useMutation(DeleteAlertChannelMutation);
  const [testing, test] = useMutation(TestChannelMutation);
  const titleId = `channel-${channel.id}-title`;

  /** Shows a mutation's error or typed failure; true when it succeeded. */
  async function act(result: Promise<{ error?: { message: string }; outcome?: { __typename: string; message?: string } | null }>) {
    setProblem(null);
    const { error, outcome } = await result;
    const failure = error?.message ?? outcome?.message ?? null;
    setProblem(failure);
    return failure === null;
  }

  async function sendTest() {
    setProblem(null);
    const result = await test({ id: channel.id });
    const outcome = result.data?.testChannel;
    if (outcome?.__typename === 'MutationTestChannelSuccess') onNotification(outcome.data);
    else setProblem(result.error?.message ?? (outcome && 'message' in outcome ? outcome.message : null));
  }

  return (
    <article className="card channel-card" aria-labelledby={titleId} data-channel={channel.name}>
      <header className="scraper-card__head">
        <h3 id={titleId}>{channel.name}</h3>
        <Badge tone={channel.enabled ? 'good' : 'bad'}>{channel.enabled ? 'Enabled' : 'Disabled'}</Badge>
      </header>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>{channel.kind}</dd>
        <dt>{channel.kind === 'EMAIL' ? 'Recipients' : 'URL'}</dt>
        <dd className="break" data-testid="channel-target">
          {target(channel)}
        </dd>
        {channel.kind === 'WEBHOOK' && (
          <>
            <dt>Signed</dt>
            <dd>{channel.hasSecret ? 'yes (Standard Webhooks)' : 'no'}</dd>
          </>
        )}
      </dl>
      {channel.disabledReason && (
        <p className="state state--error" data-testid="disabled-reason">
          Disabled: {channel.disabledReason}
        </p>
      )}
      {canMutate && (
        <div className="actions">
          <button type="button" className="button" disabled={testing.fetching || !channel.enabled} onClick={sendTest}>
            Send test
          </button>
          <button
            type="button"
            className="button"
            disabled={updating.fetching}
            onClick={() => act(update({ id: channel.id, enabled: !channel.enabled }).then((r) => ({ error: r.error, outcome: r.data?.updateAlertChannel }))).then((ok) => ok && onChanged())}
          >
            {channel.enabled ? 'Disable' : 'Enable'}
          </button>
          {confirmDelete ? (
            <>
              <button type="button" className="button button--danger" disabled={deleting.fetching} onClick={() => act(remove({ id: channel.id }).then((r) => ({ error: r.error, outcome: r.data?.deleteAlertChannel }))).then((ok) => ok && onChanged())}>
                Delete {channel.name} for good
              </button>
              <button type="button" className="button" onClick={() => setConfirmDelete(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="button" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          )}
        </div>
      )}
      <ActionProblem problem={problem} />
      <h4>Recent notifications</h4>
      <NotificationList notifications={recentOf(channel, live)} empty="Nothing sent yet." showIncident />
    </article>
  );
}

export function ChannelsSection({ channels, live, onChanged, onNotification }: { channels: AlertChannelFieldsFragment[]; live: ReadonlyMap<string, NotificationFieldsFragment>; onChanged: () => void; onNotification: (n: NotificationFieldsFragment) => void }) {
  const canMutate = useCanMutate();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; secret: string | null } | null>(null);

  return (
    <section aria-labelledby="channels-title" className="alerts-section">
      <div className="title-row">
        <h2 id="channels-title">Channels</h2>
        {canMutate && (
          <button type="button" className="button" aria-expanded={creating} onClick={() => setCreating((v) => !v)}>
            {creating ? 'Close' : 'New channel'}
          </button>
        )}
      </div>
      {created && (
        <div className="state state--info" role="status" data-testid="channel-created">
          <p>Channel {created.name} created.</p>
          {created.secret && (
            <p>
              Its signing secret, shown this once (receivers verify signatures with it): <code className="break" data-testid="channel-secret">{created.secret}</code>
            </p>
          )}
          <button type="button" className="button button--small" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {canMutate && creating && (
        <div className="card">
          <ChannelForm
            onCreated={(c) => {
              setCreated(c);
              setCreating(false);
              onChanged();
            }}
          />
        </div>
      )}
      {channels.length === 0 ? (
        <Empty>No channels yet.{canMutate ? ' Add one with New channel.' : ''}</Empty>
      ) : (
        <ul className="card-grid card-grid--wide" aria-label="Channels">
          {channels.map((channel) => (
            <li key={channel.id}>
              <ChannelCard channel={channel} live={live} onChanged={onChanged} onNotification={onNotification} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
