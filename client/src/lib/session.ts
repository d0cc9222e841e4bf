/**
 * The signed-in token and its role: kept in sessionStorage for the life of the browser tab, or in
 * localStorage for the browser when the person asked to stay signed in.
 */
import { createContext, useContext } from 'react';
import type { ViewerRole } from '@/gql/graphql';

export type Session = { token: string; role: ViewerRole };

export type SessionApi = {
  session: Session | null;
  /** Checks the token with the server; resolves to an error message when it is not accepted. */
  signIn(token: string, keep: boolean): Promise<string | null>;
  signOut(): void;
};

const KEY = 'scrapedeck.session';

export function readStoredSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<Session>) : null;
    return parsed?.token && parsed.role ? { token: parsed.token, role: parsed.role } : null;
  } catch {
    // A corrupt entry is the same as none: the person signs in again.
    return null;
  }
}

/** Keeps the session for the tab, or for the browser when `keep`; null forgets it in both. */
export function storeSession(session: Session | null, keep = false): void {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
  if (session) (keep ? localStorage : sessionStorage).setItem(KEY, JSON.stringify(session));
}

const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('scrapedeck.session');

/** Tells every other tab of this admin that the person signed out. */
export function announceSignOut(): void {
  channel?.postMessage('signed-out');
}

/** Calls back when another tab signs out; returns the unsubscribe. */
export function onSignOutElsewhere(callback: () => void): () => void {
  if (!channel) return () => {};
  const listener = (event: MessageEvent) => {
    if (event.data === 'signed-out') callback();
  };
  channel.addEventListener('message', listener);
  return () => channel.removeEventListener('message', listener);
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
