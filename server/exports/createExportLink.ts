/** Makes a single-use, short-lived link to an export for a caller who may export. */
import { generateSecret, hashSecret } from '../auth/secrets.ts';
import type { Database } from '../db/database.ts';
import type { ExportCredential } from './exportCredential.ts';
import { exportPath, TICKET_PARAMETER, type ExportRequest } from './exportRequest.ts';
import { createExportTicket } from './sql/createExportTicket.ts';

/** Long enough for a browser to follow the link it was just given, short enough that a leaked one is worthless. */
export const EXPORT_LINK_SECONDS = 60;

export type ExportLink = { url: string; expiresAt: Date; path: string };

/**
 * The link holds a random secret that opens this one export once; only its hash is stored. path is
 * the same export for scripts, which send their bearer token instead.
 */
export async function createExportLink(db: Database, publicUrl: string, credential: ExportCredential, request: ExportRequest): Promise<ExportLink> {
  const path = exportPath(request);
  const secret = generateSecret('exportTicket');
  const { expiresAt } = await createExportTicket(db.pool, {
    ticketHash: hashSecret(secret),
    path,
    principal: credential.key,
    role: credential.role,
    validSeconds: EXPORT_LINK_SECONDS,
  });
  const url = `${publicUrl}${path}${path.includes('?') ? '&' : '?'}${TICKET_PARAMETER}=${secret}`;
  return { url, expiresAt, path };
}
