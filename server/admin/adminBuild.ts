/**
 * Whether the admin the server serves (client/dist) was built from the client sources beside it,
 * and building it. A build records the hash of the sources it was made from, so that `npm start`
 * rebuilds only a build that is missing or stale, and only where vite (a dev dependency) is installed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT = path.join(ROOT, 'client');
export const ADMIN_DIST = path.join(CLIENT, 'dist');
/** Dot files of client/dist are never served (see serveAdmin). */
const STAMP = path.join(ADMIN_DIST, '.source-hash');
const VITE = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

/**
 * - fresh: built from these sources (or shipped without them: nothing to compare with)
 * - missing: never built here
 * - stale: built from other sources, or by something that did not record them
 */
export type AdminBuildState = 'fresh' | 'missing' | 'stale';

/** The client's sources and the locked versions of what they import; paths relative, so that a copy of the project hashes the same. */
function adminSourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'dist' || name === 'node_modules' || name.startsWith('.')) continue;
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file));
    }
  };
  walk(CLIENT);
  const lockfile = path.join(ROOT, 'package-lock.json');
  if (existsSync(lockfile)) hash.update('package-lock.json\0').update(readFileSync(lockfile));
  return hash.digest('hex');
}

export function adminBuildState(): AdminBuildState {
  if (!existsSync(path.join(ADMIN_DIST, 'index.html'))) return 'missing';
  if (!existsSync(path.join(CLIENT, 'index.html'))) return 'fresh';
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8') === adminSourceHash() ? 'fresh' : 'stale';
}

/** vite is a dev dependency: an install with --omit=dev serves a build made elsewhere. */
export function canBuildAdmin(): boolean {
  return existsSync(VITE);
}

/** Builds client/dist and records the sources it was built from; `quiet` keeps vite's report unless the build fails. */
export function buildAdmin(options: { quiet?: boolean } = {}): void {
  if (!canBuildAdmin()) throw new Error(`cannot build the admin: vite is not installed (${path.relative(ROOT, VITE)})`);
  // Hashed before building: sources edited during the build leave the build stale, as it is.
  const sources = adminSourceHash();
  const args = [VITE, 'build', '--config', path.join(CLIENT, 'vite.config.ts'), ...(options.quiet ? ['--logLevel', 'warn'] : [])];
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: options.quiet ? 'pipe' : 'inherit' });
  if (result.status !== 0) {
    const output = options.quiet ? `:\n${result.stdout}\n${result.stderr}` : '';
    throw new Error(`vite build failed (${result.error?.message ?? `exit code ${result.status}`})${output}`);
  }
  writeFileSync(STAMP, sources);
}
