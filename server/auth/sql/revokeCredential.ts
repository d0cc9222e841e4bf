/**
 * Revokes an API token or a runner's key. Revoking twice keeps the first time; the NOTIFY closes the
 * credential's open websockets, on every instance, at commit.
 */
import type { Database } from '../../db/database.ts';
import { CREDENTIALS_REVOKED_CHANNEL } from '../openConnections.ts';

/** `prefix:id` is the key openConnections files each socket under ('token:1', 'runner:1'). */
const revokeStatement = (name: string, table: string, prefix: string) => ({
  name,
  text: `WITH revoked AS (UPDATE ${table} SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id)
         SELECT pg_notify('${CREDENTIALS_REVOKED_CHANNEL}', '${prefix}:' || id) FROM revoked`,
});

const STATEMENTS = {
  token: revokeStatement('revoke_token', 'api_token', 'token'),
  runner: revokeStatement('revoke_runner', 'runner', 'runner'),
};

/** False when there is no such token or runner. */
export async function revokeCredential(db: Database, kind: keyof typeof STATEMENTS, id: number): Promise<boolean> {
  const { rowCount } = await db.pool.query({ ...STATEMENTS[kind], values: [id] });
  return rowCount === 1;
}
