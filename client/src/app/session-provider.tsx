/** Holds the session and the urql client of its token; a token the server stops accepting signs the person out. */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Provider } from 'urql';
import { graphql } from '@/gql/gql';
import { createApiClient } from '@/lib/api-client';
import { announceSignOut, onSignOutElsewhere, readStoredSession, SessionContext, storeSession, type Session, type SessionApi } from '@/lib/session';

const ViewerRoleQuery = graphql(`
  query ViewerRole {
    viewer {
      role
    }
  }
`);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(readStoredSession);

  // Signing out here signs out every tab; a revoked token does too, since it failed here first.
  const signOut = useCallback(() => {
    storeSession(null);
    setSession(null);
    announceSignOut();
  }, []);

  useEffect(
    () =>
      onSignOutElsewhere(() => {
        storeSession(null);
        setSession(null);
      }),
    [],
  );

  const signIn = useCallback(async (token: string, keep: boolean) => {
    const trimmed = token.trim();
    if (!trimmed) return 'Enter a token.';
    const result = await createApiClient(trimmed).query(ViewerRoleQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    if (result.error) return `Could not reach the server: ${result.error.message}`;
    const role = result.data?.viewer.role;
    if (role !== 'ADMIN' && role !== 'VIEWER') return 'This token is not accepted. Use an admin or viewer token.';
    const next = { token: trimmed, role };
    storeSession(next, keep);
    setSession(next);
    return null;
  }, []);

  // A refusal can mean the token was revoked, or only that this role may not do that: ask the server.
  const client = useMemo(() => {
    if (!session) return createApiClient('');
    const checkToken = () =>
      void createApiClient(session.token)
        .query(ViewerRoleQuery, {}, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          if (!result.error && result.data?.viewer.role !== session.role) signOut();
        });
    return createApiClient(session.token, checkToken);
  }, [session, signOut]);
  const api = useMemo<SessionApi>(() => ({ session, signIn, signOut }), [session, signIn, signOut]);

  return (
    <SessionContext.Provider value={api}>
      <Provider value={client}>{children}</Provider>
    </SessionContext.Provider>
  );
}
