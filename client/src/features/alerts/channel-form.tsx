/** Creates an alert channel; a webhook without a secret of its own gets one, shown here once. */
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '@/gql/gql';
import type { AlertChannelKind } from '@/gql/graphql';

const CreateAlertChannelMutation = graphql(`
  mutation CreateAlertChannel($input: CreateAlertChannelInput!) {
    createAlertChannel(input: $input) {
      __typename
      ... on MutationCreateAlertChannelSuccess {
        data {
          secret
          channel {
            id
            name
          }
        }
      }
      ... on ChannelSettingsError {
        field
      }
      ... on ValidationError {
        issues {
          path
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const KINDS: Array<{ kind: AlertChannelKind; label: string }> = [
  { kind: 'WEBHOOK', label: 'Webhook (signed, Standard Webhooks)' },
  { kind: 'SLACK', label: 'Slack incoming webhook' },
  { kind: 'EMAIL', label: 'Email' },
];

export function ChannelForm({ onCreated }: { onCreated: (created: { name: string; secret: string | null }) => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<AlertChannelKind>('WEBHOOK');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [recipients, setRecipients] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [state, create] = useMutation(CreateAlertChannelMutation);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input =
      kind === 'EMAIL'
        ? { name: name.trim(), kind, recipients: recipients.split(/[\s,;]+/).filter(Boolean) }
        : { name: name.trim(), kind, url: url.trim(), ...(kind === 'WEBHOOK' && secret.trim() ? { secret: secret.trim() } : {}) };
    const result = await create({ input });
    const outcome = result.data?.createAlertChannel;
    if (result.error) return setProblems([result.error.message]);
    if (outcome?.__typename === 'ValidationError') return setProblems(outcome.issues.map((i) => `${i.path}: ${i.message}`));
    if (outcome?.__typename === 'ChannelSettingsError') return setProblems([`${outcome.field}: ${outcome.message}`]);
    if (outcome && 'message' in outcome) return setProblems([outcome.message]);
    if (outcome?.__typename !== 'MutationCreateAlertChannelSuccess') return;
    setProblems([]);
    setName('');
    setUrl('');
    setSecret('');
    setRecipients('');
    onCreated({ name: outcome.data.channel.name, secret: outcome.data.secret });
  }

  return (
    <form className="editor" onSubmit={submit} aria-label="New channel">
      <label htmlFor="channel-name">Name</label>
      <input id="channel-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
      <label htmlFor="channel-kind">Kind</label>
      <select id="channel-kind" value={kind} onChange={(e) => setKind(e.target.value as AlertChannelKind)}>
        {KINDS.map((k) => (
          <option key={k.kind} value={k.kind}>
            {k.label}
          </option>
        ))}
      </select>
      {kind === 'EMAIL' ? (
        <>
          <label htmlFor="channel-recipients">Recipients (comma separated)</label>
          <input id="channel-recipients" value={recipients} onChange={(e) => setRecipients(e.target.value)} placeholder="ops@example.com" spellCheck={false} />
        </>
      ) : (
        <>
          <label htmlFor="channel-url">URL</label>
          <input id="channel-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hooks.example.com/scrapedeck" spellCheck={false} />
        </>
      )}
      {kind === 'WEBHOOK' && (
        <>
          <label htmlFor="channel-secret">Secret (whsec_…; leave empty to have one made)</label>
          <input id="channel-secret" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="off" spellCheck={false} />
        </>
      )}
      {problems.length > 0 && (
        <ul className="field-error" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={state.fetching}>
          Create channel
        </button>
      </div>
    </form>
  );
}
