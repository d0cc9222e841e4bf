/** Starts a real server instance (HTTP + websocket, its own LISTEN connection) on a test database. */
import { loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { startServer } from '../../server/server.ts';
import type { SchedulerOptions } from '../../server/scheduler/scheduler.ts';
import { GraphQLTestClient } from './graphql.ts';

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
