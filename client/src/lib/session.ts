/** The signed-in token and its role, kept in sessionStorage for the life of the browser tab. */
import { createContext, useContext } from 'react';
import type { ViewerRole } from '@/gql/graphql';

export type Session = { token: string; role: ViewerRole };

export type SessionApi = {
  session: Session | null;
  /** Checks the token with the server; resolves to an error message when it is not accepted. */
  signIn(token: string): Promise<string | null>;
  signOut(): void;
};

const KEY = 'scrapedeck.session';

export function readStoredSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<Session>) : null;
    return parsed?.token && parsed.role ? { token: parsed.token, role: parsed.role } : null;
  } catch {
    // A corrupt entry is the same as none: the person signs in again.
    return null;
  }
}

export function storeSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

export const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error('useSession outside SessionContext');
  return api;
}

/** True for an admin: only admins see buttons that change things. */
export function useCanMutate(): boolean {
  return useSession().session?.role === 'ADMIN';
}
