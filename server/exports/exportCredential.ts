/**
 * The credential an export is counted and authorised under: 'admin' for the bootstrap admin token,
 * 'token:<id>' for an API token. A single-use link carries the credential that asked for it.
 */
import type { Principal } from '../auth/principal.ts';
import { credentialKey } from '../auth/openConnections.ts';

export type ExportCredential = { key: string; role: 'ADMIN' | 'VIEWER' };

/** null for callers who may not export (runners, anonymous). */
export function exportCredential(principal: Principal): ExportCredential | null {
  if (principal.kind !== 'admin' && principal.kind !== 'viewer') return null;
  return { key: credentialKey(principal) ?? 'admin', role: principal.kind === 'admin' ? 'ADMIN' : 'VIEWER' };
}

/** The API token id of a credential key, 0 for the bootstrap admin token (API token ids start at 1). */
export function credentialNumber(key: string): number {
  return key.startsWith('token:') ? Number(key.slice('token:'.length)) : 0;
}
