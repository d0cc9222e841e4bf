/**
 * The real browser for end-to-end tests: Debian's Chromium driven by playwright-core, and the admin
 * built once per change of its sources (parallel test files wait on one lock, and skip the build
 * when the sources are unchanged since the last one).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT = path.join(ROOT, 'client');
const DIST = path.join(CLIENT, 'dist');
const STAMP = path.join(DIST, '.source-hash');
const LOCK = path.join(os.tmpdir(), `scrapedeck-admin-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'dist' || name === 'node_modules' || name.startsWith('.')) continue;
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(file).update(readFileSync(file));
    }
  };
  walk(CLIENT);
  return hash.digest('hex');
}

/** Builds client/dist unless it was built from the current sources. */
export async function ensureAdminBuilt(): Promise<void> {
  const wanted = sourceHash();
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return;
    try {
      mkdirSync(LOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) throw new Error(`another build holds ${LOCK} for too long; remove it if no build is running`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return;
      const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
      const result = spawnSync(process.execPath, [vite, 'build', '--config', path.join(CLIENT, 'vite.config.ts'), '--logLevel', 'warn'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
      writeFileSync(STAMP, wanted);
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** Signs in through the sign-in page and waits for the overview. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}
