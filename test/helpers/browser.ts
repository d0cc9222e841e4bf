/**
 * The real browser for end-to-end tests: Debian's Chromium driven by playwright-core, and the admin
 * built once per change of its sources (parallel test files wait on one lock, and skip the build
 * when the sources are unchanged since the last one).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { adminBuildState, buildAdmin } from '../../server/admin/adminBuild.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOCK = path.join(os.tmpdir(), `scrapedeck-admin-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Builds client/dist unless it was built from the current sources. */
export async function ensureAdminBuilt(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (adminBuildState() === 'fresh') return;
    try {
      mkdirSync(LOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) throw new Error(`another build holds ${LOCK} for too long; remove it if no build is running`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (adminBuildState() !== 'fresh') buildAdmin({ quiet: true });
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
