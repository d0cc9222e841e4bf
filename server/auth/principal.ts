/** Decides once per request or websocket connection who is calling; resolvers only read the answer. */
import type { Database } from '../db/database.ts';
import type { RunnerSightings } from '../runners/runnerSightings.ts';
import type { RunnerKeyCache } from './runnerKeyCache.ts';
import { hashSecret, secretsEqual } from './secrets.ts';

export type Principal =
  | { kind: 'admin'; tokenId: number | null }
  | { kind: 'viewer'; tokenId: number }
  | { kind: 'runner'; runnerId: number; runnerName: string; /** What work it may take (set by an admin). */ labels: string[] }
  | { kind: 'anonymous' };

export type Credentials = { bearer?: string | null; apiKey?: string | null };

const MAX_SECRET_LENGTH = 256;

/** What the credentials are read from: fetch's Headers, or Node's request headers through the same getter. */
export type HeaderReader = { get(name: string): string | null };

export function credentialsFromHeaders(headers: HeaderReader): Credentials {
  const authorization = headers.get('authorization');
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? null;
  return { bearer, apiKey: headers.get('x-api-key') };
}

/** graphql-ws has no headers: clients send the same credentials in connectionParams. */
export function credentialsFromConnectionParams(params: Record<string, unknown> | undefined): Credentials {
  const read = (key: string) => {
    const value = params?.[key] ?? params?.[key.toLowerCase()];
    return typeof value === 'string' ? value : null;
  };
  const authorization = read('Authorization');
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? read('token');
  return { bearer, apiKey: read('x-api-key') ?? read('apiKey') };
}

/** Runner keys found valid before, and where a call answered from them is recorded (see RunnerKeyCache). */
export type KnownRunnerKeys = { cache: RunnerKeyCache; sightings: RunnerSightings };

/** Whether the credentials are a runner key this instance holds as valid: known without a query. */
export function isKnownRunnerKey(credentials: Credentials, known?: KnownRunnerKeys): boolean {
  const { apiKey } = credentials;
  return Boolean(apiKey && apiKey.length <= MAX_SECRET_LENGTH && known?.cache.get(hashSecret(apiKey)));
}

export async function resolvePrincipal(db: Database, adminToken: string, credentials: Credentials, known?: KnownRunnerKeys): Promise<Principal> {
  const { bearer, apiKey } = credentials;
  if (bearer && bearer.length <= MAX_SECRET_LENGTH) {
    if (secretsEqual(bearer, adminToken)) return { kind: 'admin', tokenId: null };
    const { rows } = await db.pool.query<{ id: number; role: 'ADMIN' | 'VIEWER' }>({
      name: 'principal_token',
      // Touches last_used_at at most every few seconds, so that reads stay reads.
      text: `WITH t AS (SELECT id, role, last_used_at FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL),
                  touched AS (UPDATE api_token SET last_used_at = now() FROM t
                               WHERE api_token.id = t.id
                                 AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '5 seconds'))
             SELECT id, role FROM t`,
      values: [hashSecret(bearer)],
    });
    const token = rows[0];
    if (token) return token.role === 'ADMIN' ? { kind: 'admin', tokenId: token.id } : { kind: 'viewer', tokenId: token.id };
  }
  if (apiKey && apiKey.length <= MAX_SECRET_LENGTH) {
    const keyHash = hashSecret(apiKey);
    const cached = known?.cache.get(keyHash);
    if (cached) {
      known!.sightings.saw(cached.runnerId);
      return { kind: 'runner', ...cached };
    }
    const mark = known?.cache.mark() ?? 0;
    const { rows } = await db.pool.query<{ id: number; name: string; labels: string[] }>({
      name: 'principal_runner',
      text: `WITH r AS (SELECT id, name, labels, last_seen_at FROM runner WHERE key_hash = $1 AND revoked_at IS NULL),
                  touched AS (UPDATE runner SET last_seen_at = now() FROM r
                               WHERE runner.id = r.id
                                 AND (r.last_seen_at IS NULL OR r.last_seen_at < now() - interval '5 seconds'))
             SELECT id, name, labels FROM r`,
      values: [keyHash],
    });
    const runner = rows[0];
    if (runner) {
      const identity = { runnerId: runner.id, runnerName: runner.name, labels: runner.labels };
      known?.cache.set(keyHash, identity, mark);
      return { kind: 'runner', ...identity };
    }
  }
  return { kind: 'anonymous' };
}
