/**
 * A production install, as a deployment makes one: the admin built where the dev dependencies are,
 * the project copied without node_modules, `npm ci --omit=dev` there (offline, from npm's cache,
 * which the install of this checkout filled), and `NODE_ENV=production npm start` serving the admin
 * and /healthz without vite. A build that no longer matches its sources stops such a start, saying
 * what to do.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt } from '../helpers/browser.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { TEST_ADMIN_TOKEN } from '../helpers/server.ts';
import { freePort } from '../helpers/serverProcess.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** What a deployment does not ship: installed or generated here, or local state. */
const NOT_SHIPPED = new Set(['node_modules', '.git', '.data', '.tools', 'test-results']);

const db = useTestDatabase();
let copy: string;

/** The environment of a fresh shell: none of the npm_* settings of the `npm test` that runs this. */
function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? os.tmpdir() };
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return { ...env, ...extra };
}

beforeAll(async () => {
  // `npm run build`, shared with the browser tests so that parallel files build once.
  await ensureAdminBuilt();
  copy = mkdtempSync(path.join(os.tmpdir(), 'scrapedeck-production-'));
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(ROOT, source);
      return !relative.split(path.sep).some((segment) => NOT_SHIPPED.has(segment)) && !relative.startsWith(path.join('server', 'db', 'generated'));
    },
  });
  const install = spawnSync('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: copy, env: shellEnv(), encoding: 'utf8' });
  if (install.status !== 0) {
    throw new Error(`npm ci --omit=dev --offline failed (every package must be in npm's cache, as after an install of this checkout):\n${install.stdout}\n${install.stderr}`);
  }
}, 180_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

type Started = { output(): string; exited: Promise<number | null>; stop(): Promise<number | null> };

/** `npm start` in the copy, in a process group of its own so that npm, its shell and the server all stop together. */
function npmStart(port: number): Started {
  const child = spawn('npm', ['start'], {
    cwd: copy,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: shellEnv({
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      DEMO: 'false',
      SCHEDULER: 'false',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
    }),
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function waitForStart(started: Started): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!started.output().includes('Scrapedeck is up')) {
    const code = await Promise.race([started.exited, new Promise((resolve) => setTimeout(() => resolve('running'), 100))]);
    if (code !== 'running') throw new Error(`npm start exited (code ${code}):\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up in time:\n${started.output()}`);
  }
}

describe('a production install (npm ci --omit=dev)', { timeout: 90_000 }, () => {
  it('has no dev dependencies, and the generated Prisma client', () => {
    expect(existsSync(path.join(copy, 'node_modules', 'vite'))).toBe(false);
    expect(existsSync(path.join(copy, 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(path.join(copy, 'node_modules', 'tsx'))).toBe(true);
    expect(existsSync(path.join(copy, 'server', 'db', 'generated', 'prisma', 'client.ts'))).toBe(true);
  });

  it('starts with NODE_ENV=production and serves the built admin and /healthz', async () => {
    const port = await freePort();
    const started = npmStart(port);
    try {
      await waitForStart(started);
      const admin = await fetch(`http://127.0.0.1:${port}/runs/1`);
      expect(admin.status).toBe(200);
      expect(admin.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await admin.text()).toBe(readFileSync(path.join(copy, 'client', 'dist', 'index.html'), 'utf8'));
      // The build's record of its sources stays on the server.
      expect(await (await fetch(`http://127.0.0.1:${port}/.source-hash`)).text()).toBe(await (await fetch(`http://127.0.0.1:${port}/`)).text());
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      // Production: no GraphiQL, and nothing was built at start.
      const graphiql = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } });
      expect(await graphiql.text()).not.toMatch(/graphiql/i);
      expect(started.output()).not.toMatch(/vite|building/i);
    } finally {
      await started.stop();
    }
  });

  it('refuses to start when the built admin does not match its sources, and says how to build it', async () => {
    const page = path.join(copy, 'client', 'index.html');
    const original = readFileSync(page, 'utf8');
    appendFileSync(page, '<!-- edited after the build -->\n');
    try {
      const started = npmStart(await freePort());
      const code = await started.exited;
      expect(code, started.output()).not.toBe(0);
      expect(started.output()).toContain('Scrapedeck cannot start: the admin in client/dist was not built from the client sources beside it');
      expect(started.output()).toContain('Run `npm run build` where the dev dependencies are installed');
      expect(started.output()).not.toContain('Scrapedeck is up');
    } finally {
      writeFileSync(page, original);
    }
  });
});
