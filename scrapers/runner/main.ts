/** The process entry of `npm run runner`: reads its settings, runs the claim loop, stops cleanly on SIGTERM. */
import { pino } from 'pino';
import { ApiClient } from './apiClient.ts';
import { keyOnCommandLine, readSettings, USAGE } from './cli.ts';
import { Runner } from './runner.ts';
import { lockSpoolDir } from './spoolLock.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

let settings;
try {
  settings = readSettings(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}

let unlock: () => void;
try {
  unlock = lockSpoolDir(settings.spoolDir);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

const logger = pino({ level: settings.logLevel, base: { service: 'scrapedeck-runner', runner: settings.name } });
if (keyOnCommandLine(process.argv.slice(2))) {
  logger.warn('the runner key was given with --key, which every user of this machine can read in the process list; use SCRAPEDECK_RUNNER_KEY or --key-file');
}
const runner = new Runner({ ...settings, api: new ApiClient(settings.api, settings.key), logger });
runner.start();
logger.info({ api: settings.api, concurrency: settings.concurrency, spoolDir: settings.spoolDir }, 'runner started');

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await runner.stop();
  unlock();
  logger.info('runner stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
// Started by another process (the demo of npm start, a test): end with it, even when it crashes.
if (process.connected) process.on('disconnect', () => void stop('parent exited'));

await runner.done();
if (!stopping) {
  unlock();
  process.exit(runner.fatal ? 1 : 0);
}
