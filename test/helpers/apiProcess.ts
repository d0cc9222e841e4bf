/**
 * The API as a child process (`server/main.ts`, as `npm start` runs it) on a fixed port and an
 * external database, for tests that stop and restart it under a runner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT, stopChild } from '../../scrapers/runner/spawnRunner.ts';
import { GraphQLTestClient } from './graphql.ts';
import { TEST_ADMIN_TOKEN } from './server.ts';

export type ApiProcess = {
  port: number;
  httpUrl: string;
  wsUrl: string;
  admin: GraphQLTestClient;
  client(credentials?: { token?: string; apiKey?: string }): GraphQLTestClient;
  /** Starts the API again on the same port and database (after stop or kill). */
  restart(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL: the API vanishes mid-request. */
  kill(): Promise<void>;
};

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startApiProcess(options: { databaseUrl: string; port?: number; env?: Record<string, string> }): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  let child: ChildProcess | null = null;
  let stderr = '';

  const start = () =>
    new Promise<void>((resolve, reject) => {
      stderr = '';
      const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'server', 'main.ts')], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: options.databaseUrl,
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          DEMO: 'false',
          SCHEDULER: 'false',
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          ...options.env,
        },
      });
      child = proc;
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the API did not start in 30 s; stderr: ${stderr}`)), 30_000);
      proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('Scrapedeck is up')) {
          clearTimeout(timer);
          resolve();
          out = '';
        }
      });
      proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-20_000);
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the API exited with ${code} before it was up; stderr: ${stderr}`));
      });
    });

  await start();
  const httpUrl = `http://127.0.0.1:${port}/graphql`;
  const wsUrl = `ws://127.0.0.1:${port}/graphql`;
  const client = (credentials: { token?: string; apiKey?: string } = {}) => new GraphQLTestClient(httpUrl, wsUrl, credentials);
  return {
    port,
    httpUrl,
    wsUrl,
    admin: client({ token: TEST_ADMIN_TOKEN }),
    client,
    restart: start,
    async stop() {
      if (child) await stopChild(child, 20_000);
    },
    async kill() {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      });
    },
  };
}
