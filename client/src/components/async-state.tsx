/** The three states every request and list shows besides its data: loading, failed, empty. */
import type { CombinedError } from 'urql';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state state--loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function ErrorMessage({ error, retry }: { error: CombinedError | Error | string; retry?: () => void }) {
  const message = typeof error === 'string' ? error : error.message.replace(/^\[(GraphQL|Network)\] /, '');
  return (
    <div className="state state--error" role="alert">
      <p>Something went wrong: {message}</p>
      {retry && (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="state state--empty">{children}</p>;
}

/** Why an action just failed, announced at once; nothing when it did not. */
export function ActionProblem({ problem }: { problem: string | null }) {
  return problem ? (
    <p className="field-error" role="alert">
      {problem}
    </p>
  ) : null;
}
