/** Runners and their API keys: made with a key shown once, rotated or revoked with immediate effect. */
import { CREDENTIALS_REVOKED_CHANNEL } from '../auth/openConnections.ts';
import { RUNNER_CHANGED_CHANNEL } from '../auth/runnerKeyCache.ts';
import { generateSecret, hashSecret } from '../auth/secrets.ts';
import { revokeCredential } from '../auth/sql/revokeCredential.ts';
import type { Database } from '../db/database.ts';
import type { Runner } from '../db/generated/prisma/client.ts';
import { NotFoundError } from '../domainErrors.ts';
import { RunnerNameTakenError, RunnerRevokedError } from './errors.ts';

export type RunnerWithKey = { runner: Runner; apiKey: string };

export async function createRunner(db: Database, input: { name: string }): Promise<RunnerWithKey> {
  const apiKey = generateSecret('runner');
  const { rows } = await db.pool.query<{ id: number }>({
    name: 'create_runner',
    text: `INSERT INTO runner (name, key_hash) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id`,
    values: [input.name, hashSecret(apiKey)],
  });
  if (!rows[0]) throw new RunnerNameTakenError(input.name);
  return { runner: await db.prisma.runner.findUniqueOrThrow({ where: { id: rows[0].id } }), apiKey };
}

/**
 * The old key is refused from the next request on: the NOTIFY makes every instance forget it (see RunnerKeyCache).
 * A run the runner holds stays its own: the runner keeps reporting on it with the new key.
 */
export async function rotateRunnerKey(db: Database, id: number): Promise<RunnerWithKey> {
  const apiKey = generateSecret('runner');
  const { rowCount } = await db.pool.query({
    name: 'rotate_runner_key',
    // The NOTIFY closes the websockets opened with the old key, on every instance, at commit.
    text: `WITH rotated AS (UPDATE runner SET key_hash = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id)
           SELECT pg_notify('${CREDENTIALS_REVOKED_CHANNEL}', 'runner:' || id) FROM rotated`,
    values: [id, hashSecret(apiKey)],
  });
  if (rowCount !== 1) {
    const runner = await db.prisma.runner.findUnique({ where: { id }, select: { revokedAt: true } });
    if (!runner) throw new NotFoundError('Runner', String(id));
    throw new RunnerRevokedError(id);
  }
  return { runner: await db.prisma.runner.findUniqueOrThrow({ where: { id } }), apiKey };
}

/**
 * Revoking twice keeps the first time; the runner's open websockets are closed at once (4403).
 * A run the runner still holds is left to its lease: when the lease passes without a heartbeat it
 * is taken as lost like any other.
 */
export async function revokeRunner(db: Database, id: number): Promise<Runner> {
  if (!(await revokeCredential(db, 'runner', id))) throw new NotFoundError('Runner', String(id));
  return db.prisma.runner.findUniqueOrThrow({ where: { id } });
}

/**
 * Sets what work a runner may take. Its next claim uses the new labels (the NOTIFY makes every
 * instance look its key up again), and its websockets are closed, so that it waits again under them;
 * a claim held open over HTTP under the old ones runs to its end (at most the wait it asked for).
 */
export async function setRunnerLabels(db: Database, id: number, labels: string[]): Promise<Runner> {
  const { rowCount } = await db.pool.query({
    name: 'set_runner_labels',
    text: `WITH changed AS (UPDATE runner SET labels = $2 WHERE id = $1 RETURNING id)
           SELECT pg_notify('${RUNNER_CHANGED_CHANNEL}', id::text) FROM changed`,
    values: [id, labels],
  });
  if (rowCount !== 1) throw new NotFoundError('Runner', String(id));
  return db.prisma.runner.findUniqueOrThrow({ where: { id } });
}
