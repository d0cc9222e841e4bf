/** Sign-in with an admin or viewer token; the server says which role the token has. */
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useSession } from '@/lib/session';
import { usePageTitle } from '@/hooks/use-page-title';

export function SignInPage() {
  usePageTitle('Sign in');
  const { session, signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [token, setToken] = useState('');
  const [keep, setKeep] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (session) return <Navigate to={from} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const problem = await signIn(token, keep);
    setBusy(false);
    setError(problem);
    if (!problem) navigate(from, { replace: true });
  }

  return (
    <main className="sign-in" id="main">
      <form className="card sign-in__card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Scrapedeck</h1>
        <p>Sign in with an admin or viewer token.</p>
        <label htmlFor="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'token-error' : undefined}
          required
          // The token is all this page asks for: the cursor waits in it.
          autoFocus
        />
        {error && (
          <p id="token-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <label className="checkbox">
          <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} aria-describedby="keep-hint" /> Keep me signed in
        </label>
        <p id="keep-hint" className="muted">
          {keep ? 'The token is kept in this browser until you sign out.' : 'The token is kept in this tab only: a new tab asks again.'}
        </p>
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
