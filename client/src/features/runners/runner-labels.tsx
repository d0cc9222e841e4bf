/**
 * A runner's labels, and for admins the form that sets them: which runs it may take (a run that asks
 * for labels goes only to a runner holding them all).
 */
import { useState } from 'react';
import { useMutation } from 'urql';
import { ActionProblem } from '@/components/async-state';
import { graphql } from '@/gql/gql';

const SetRunnerLabelsMutation = graphql(`
  mutation SetRunnerLabels($id: ID!, $labels: [String!]!) {
    setRunnerLabels(id: $id, labels: $labels) {
      __typename
      ... on MutationSetRunnerLabelsSuccess {
        data {
          id
          labels
        }
      }
      ... on ValidationError {
        issues {
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export function RunnerLabels({ runner, canEdit }: { runner: { id: string; name: string; labels: string[] }; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [state, setLabels] = useMutation(SetRunnerLabelsMutation);

  const shown = runner.labels.length === 0 ? <span className="muted">any run</span> : runner.labels.map((label) => <code key={label} className="label-chip">{label}</code>);
  if (!editing) {
    return (
      <span className="runner-labels">
        {shown}
        {canEdit && (
          <button type="button" className="button button--small" aria-label={`Edit the labels of ${runner.name}`} onClick={() => (setText(runner.labels.join(', ')), setProblem(null), setEditing(true))}>
            Edit
          </button>
        )}
      </span>
    );
  }
  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    const labels = text.split(',').map((label) => label.trim()).filter(Boolean);
    const result = await setLabels({ id: runner.id, labels });
    const outcome = result.data?.setRunnerLabels;
    if (outcome?.__typename === 'MutationSetRunnerLabelsSuccess') return setEditing(false);
    const issues = outcome?.__typename === 'ValidationError' ? outcome.issues.map((issue) => issue.message).join('; ') : null;
    setProblem(issues || result.error?.message || (outcome && 'message' in outcome ? outcome.message : 'The labels were not saved'));
  };
  return (
    <form className="runner-labels__form" onSubmit={save}>
      <label>
        <span className="visually-hidden">Labels of {runner.name}, separated by commas</span>
        <input value={text} onChange={(event) => setText(event.target.value)} placeholder="eu, residential" autoFocus />
      </label>
      <button type="submit" className="button button--small button--primary" disabled={state.fetching}>
        Save
      </button>
      <button type="button" className="button button--small" onClick={() => setEditing(false)}>
        Cancel
      </button>
      <ActionProblem problem={problem} />
    </form>
  );
}
