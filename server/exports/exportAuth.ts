/**
 * Who is exporting: a caller with an admin or viewer bearer token, or the holder of a single-use
 * link, who exports as the credential that asked for the link. Runners may not export.
 */
import type { IncomingMessage } from 'node:http';
import { credentialsFromHeaders, resolvePrincipal, type HeaderReader } from '../auth/principal.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { Database } from '../db/database.ts';
import { exportCredential, type ExportCredential } from './exportCredential.ts';
import { consumeExportTicket } from './sql/consumeExportTicket.ts';
import { findExportTicket } from './sql/findExportTicket.ts';

export type ExportRefusal = { status: 401 | 403; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string };

export type ExportCaller = {
  credential: ExportCredential;
  /**
   * Takes the link's ticket once the export may start (a slot is free): false when another request
   * took it first. Absent for bearer tokens, which are not used up.
   */
  takeTicket?: () => Promise<boolean>;
};

const MAX_TICKET_LENGTH = 256;

/** A header-less request, a forged link, a used one or an expired one are answered alike: nothing to tell them apart by. */
const LINK_REFUSED: ExportRefusal = {
  status: 401,
  code: 'UNAUTHENTICATED',
  message: 'This export link is not valid: it was used, has expired, or is for another export. Ask for a new link, or send Authorization: Bearer <token>.',
};

export async function exportCaller(db: Database, adminToken: string, req: IncomingMessage, ticket: string | null, path: string): Promise<ExportCaller | ExportRefusal> {
  const credentials = credentialsFromHeaders(nodeHeaders(req));
  // A request that sends a credential is judged by it; a link's ticket alongside is left unused.
  if (credentials.bearer || credentials.apiKey || !ticket) {
    const principal = await resolvePrincipal(db, adminToken, credentials);
    if (principal.kind === 'runner') return { status: 403, code: 'FORBIDDEN', message: 'Runners may not export; use an admin or viewer token.' };
    const credential = exportCredential(principal);
    if (!credential) return { status: 401, code: 'UNAUTHENTICATED', message: 'Send Authorization: Bearer <token> with an admin or viewer token, or use a link from an export query.' };
    return { credential };
  }
  if (ticket.length > MAX_TICKET_LENGTH) return LINK_REFUSED;
  const ticketHash = hashSecret(ticket);
  const found = await findExportTicket(db.pool, ticketHash, path);
  if (!found) return LINK_REFUSED;
  return {
    credential: { key: found.principal, role: found.role },
    takeTicket: async () => (await consumeExportTicket(db.pool, ticketHash, path)) !== null,
  };
}

export const linkRefused = LINK_REFUSED;

function nodeHeaders(req: IncomingMessage): HeaderReader {
  return {
    get(name) {
      const value = req.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
