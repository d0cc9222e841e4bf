/**
 * Runs the API server as its own process (`npm start`'s entry under tsx), so that a test can
 * SIGKILL or SIGTERM it and start it again on the same port, like an operator or an orchestrator.
 * startServerProcess gives one process; startApiProcess a handle that restarts it at the same address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../server/net/freePort.ts';
import { GraphQLTestClient } from './graphql.ts';
import { TEST_ADMIN_TOKEN } from './server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export type ServerProcess = {
  pid: number;
  port: number;
  httpUrl: string;
  wsUrl: string;
  admin: GraphQLTestClient;
  client(credentials?: { token?: string; apiKey?: string }): GraphQLTestClient;
  /** Everything the process wrote, for assertions and for failure messages. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process is still running. */
  alive(): boolean;
  kill(signal: NodeJS.Signals): void;
};

export { freePort };

/**
 * How `npm start` runs the server: the environment it sets for the allocator and the V8 flags it
 * gives (its heap bounds), read from package.json's start script so that a test runs the server
 * exactly as deployed; ${NAME:-n} becomes n.
 */
export function npmStartProcess(): { env: Record<string, string>; nodeArgs: string[] } {
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = scripts.start!.split(/\s+/).map((word) => word.replace(/\$\{\w+:-([^}]*)\}/, '$1'));
  const env = Object.fromEntries(words.slice(0, words.indexOf('node')).map((word) => word.split('=') as [string, string]));
  return { env, nodeArgs: words.filter((word) => word.startsWith('--max-')) };
}

export async function startServerProcess(options: {
  /** Unset: the server starts its embedded PostgreSQL under the DATA_DIR given in env. */
  databaseUrl?: string;
  port: number;
  env?: Record<string, string>;
  /** Node flags before the entry (npmStartNodeFlags(), --inspect …). */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}): Promise<ServerProcess> {
  // tsx as a loader rather than its CLI: one process, so that a signal reaches the server itself.
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test',
      DEMO: 'false',
      // Tests drive the scheduler themselves (test/helpers/scheduler.ts); pass SCHEDULER=true in env to run it.
      SCHEDULER: 'false',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(options.port),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not come up in time:\n${output}`));
    }, options.readyTimeoutMs ?? 30_000);
    const check = () => {
      if (output.includes('Scrapedeck is up')) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited during start (code ${code}, signal ${signal}):\n${output}`));
    });
  });

  const httpUrl = `http://127.0.0.1:${options.port}/graphql`;
  const wsUrl = `ws://127.0.0.1:${options.port}/graphql`;
  const client = (credentials: { token?: string; apiKey?: string } = {}) => new GraphQLTestClient(httpUrl, wsUrl, credentials);
  return {
    pid: child.pid!,
    port: options.port,
    httpUrl,
    wsUrl,
    admin: client({ token: TEST_ADMIN_TOKEN }),
    client,
    output: () => output,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** One API address across restarts: the process behind it can be stopped, killed and started again. */
export type ApiProcess = Pick<ServerProcess, 'port' | 'httpUrl' | 'wsUrl' | 'admin' | 'client'> & {
  /** Starts the API again on the same port and database (after stop or kill). */
  restart(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: the API vanishes mid-request. */
  kill(): Promise<void>;
};

export async function startApiProcess(options: { databaseUrl: string; port?: number; env?: Record<string, string> }): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const start = () => startServerProcess({ databaseUrl: options.databaseUrl, port, env: { LOG_LEVEL: 'warn', ...options.env } });
  let current = await start();
  const end = async (signal: NodeJS.Signals) => {
    current.kill(signal);
    await current.exited;
  };
  return {
    port,
    httpUrl: current.httpUrl,
    wsUrl: current.wsUrl,
    admin: current.admin,
    client: current.client,
    async restart() {
      current = await start();
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}
