/**
 * `npm run build` builds the admin; `npm start` runs this with --if-needed first, which keeps a
 * build made from the current sources, rebuilds a missing or stale one where vite is installed,
 * and otherwise stops the start, saying what to do.
 */
import { adminBuildState, buildAdmin, canBuildAdmin } from '../server/admin/adminBuild.ts';

const ifNeeded = process.argv.includes('--if-needed');
// Only a start asks whether the build is current: `npm run build` builds without hashing the sources first.
const state = ifNeeded ? adminBuildState() : null;

if (state === 'fresh') process.exit(0);
if (ifNeeded && !canBuildAdmin()) {
  const what =
    state === 'missing'
      ? 'the admin is not built (client/dist is missing)'
      : 'the admin in client/dist was not built from the client sources beside it';
  process.stderr.write(
    `Scrapedeck cannot start: ${what}, and vite, which builds it, is a dev dependency that is not installed here.\n` +
      'Run `npm run build` where the dev dependencies are installed (after `npm ci`) and deploy client/dist with the project.\n',
  );
  process.exit(1);
}
if (ifNeeded) process.stdout.write(state === 'missing' ? 'Building the admin (first start)…\n' : 'The admin’s sources changed since its last build: rebuilding it…\n');
try {
  buildAdmin();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
