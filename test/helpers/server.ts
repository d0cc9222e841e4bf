/** Starts a real server instance (HTTP + websocket, its own LISTEN connection) on a test database. */
import { afterAll, beforeAll } from 'vitest';
import { loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { startServer } from '../../server/server.ts';
import type { SchedulerOptions } from '../../server/scheduler/scheduler.ts';
import { useTestDatabase, type TestDatabase } from './database.ts';
import { GraphQLTestClient } from './graphql.ts';
import { startedLater } from './startedLater.ts';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export type TestServer = {
  port: number;
  httpUrl: string;
  wsUrl: string;
  admin: GraphQLTestClient;
  /** A client with other credentials (or none). */
  client(credentials?: { token?: string; apiKey?: string }): GraphQLTestClient;
  stop(): Promise<void>;
};

export async function startTestServer(
  databaseUrl: string,
  overrides: Partial<Config> = {},
  options: { schedulerClock?: SchedulerOptions['clock'] } = {},
): Promise<TestServer> {
  const config: Config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'false', SCHEDULER: 'false' }), port: 0, host: '127.0.0.1', ...overrides };
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const server = await startServer({ config, databaseUrl, adminToken: TEST_ADMIN_TOKEN, logger, schedulerClock: options.schedulerClock });
  const httpUrl = `http://127.0.0.1:${server.port}/graphql`;
  const wsUrl = `ws://127.0.0.1:${server.port}/graphql`;
  const client = (credentials: { token?: string; apiKey?: string } = {}) => new GraphQLTestClient(httpUrl, wsUrl, credentials);
  return { port: server.port, httpUrl, wsUrl, admin: client({ token: TEST_ADMIN_TOKEN }), client, stop: () => server.stop() };
}

/**
 * A fresh database and a server on it for the whole test file: registers the beforeAll that starts them and the
 * afterAll that stops them. Hooks run in the order of registration and afterAll ones in reverse, so a file's own
 * beforeAll registered after this call seeds once they are up, and its own afterAll runs before they stop.
 */
export function useTestServer(overrides: Partial<Config> = {}): {
  db: TestDatabase;
  server: TestServer;
  /**
   * Stops the server and starts another on the same database (`more` adds to the overrides); `server` then speaks to
   * the new one. whileDown runs in between.
   */
  restartServer(more?: Partial<Config>, whileDown?: () => Promise<void>): Promise<void>;
} {
  const db = useTestDatabase();
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(db.url, overrides);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    db,
    server: startedLater('server', () => server),
    async restartServer(more = {}, whileDown) {
      await server!.stop();
      server = undefined;
      await whileDown?.();
      server = await startTestServer(db.url, { ...overrides, ...more });
    },
  };
}
