/**
 * The demo of `npm start` (DEMO=true): the demo shop sites, the built-in scraper definitions
 * registered against them, a first run of each new demo scraper, a demo runner process that
 * executes them, and a webhook receiver that the demo's alert rules notify when the failing demo
 * scraper fails, so that a newcomer sees live runs and logs within a minute, and an incident and
 * its deliveries within a few.
 */
import path from 'node:path';
import type { Config } from '../server/config.ts';
import { openDatabase } from '../server/db/database.ts';
import type { Logger } from '../server/logger.ts';
import { RunnerNameTakenError } from '../server/runners/errors.ts';
import { createRunner, rotateRunnerKey } from '../server/runners/runnerOperations.ts';
import { RunInProgressError } from '../server/runs/errors.ts';
import { triggerRun } from '../server/runs/runOperations.ts';
import { startFixtureSites } from '../scrapers/fixtures/fixtureSites.ts';
import { spawnRunner, stopChild } from '../scrapers/runner/spawnRunner.ts';
import { demoWebhookSecret, ensureDemoAlerts } from './demoAlerts.ts';
import { registerBuiltInScrapers } from './registerBuiltInScrapers.ts';
import { startWebhookReceiver } from './webhookReceiver.ts';

const DEMO_RUNNER = 'demo-runner';

export async function startDemo(options: { config: Config; databaseUrl: string; apiUrl: string; logger: Logger }) {
  const { config, apiUrl, logger } = options;
  const db = openDatabase(options.databaseUrl, logger, { max: 2 });
  const sites = await startFixtureSites({ host: '127.0.0.1' });
  const registered = await registerBuiltInScrapers(db, sites.url);
  // Before any first run is queued: the failing scraper's first run is the one that opens an incident.
  const secret = await demoWebhookSecret(db);
  const receiver = await startWebhookReceiver({ secret, logger });
  await ensureDemoAlerts(db, { receiverUrl: receiver.url, secret });
  if (!config.alertsAllowPrivateTargets) {
    logger.warn({ webhookReceiver: receiver.url }, 'ALERTS_ALLOW_PRIVATE_TARGETS=false: the demo alerts cannot reach the demo webhook receiver on 127.0.0.1');
  }
  for (const { scraperId, slug } of registered) {
    if ((await db.prisma.run.count({ where: { scraperId } })) === 0) {
      try {
        // NOTIFYed whatever the live bus: queued at startup, before this instance serves a subscriber.
        await triggerRun(db, scraperId, 'API');
        logger.info({ slug }, 'queued a first demo run');
      } catch (error) {
        // The scheduler queued one in the meantime: that one is the first run.
        if (!(error instanceof RunInProgressError)) throw error;
      }
    }
  }

  let apiKey: string;
  try {
    ({ apiKey } = await createRunner(db, { name: DEMO_RUNNER }));
  } catch (error) {
    if (!(error instanceof RunnerNameTakenError)) throw error;
    // Keys are stored hashed: a restart gives the existing demo runner a new one.
    const runner = await db.prisma.runner.findUniqueOrThrow({ where: { name: DEMO_RUNNER }, select: { id: true } });
    ({ apiKey } = await rotateRunnerKey(db, runner.id));
  }
  await db.close();

  const runner = spawnRunner({
    apiUrl,
    apiKey,
    name: DEMO_RUNNER,
    spoolDir: path.resolve(config.dataDir, 'runner-spool', DEMO_RUNNER),
    env: { RUNNER_CONCURRENCY: '2', RUNNER_LOG_LEVEL: process.env.RUNNER_LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let stopping = false;
  runner.once('exit', (code, signal) => {
    if (!stopping) logger.error({ code, signal }, 'the demo runner exited');
  });
  logger.info(
    { sites: sites.url, webhookReceiver: receiver.url, scrapers: registered.map((r) => r.slug), pid: runner.pid },
    'demo sites, demo runner and demo webhook receiver started',
  );

  return {
    sitesUrl: sites.url,
    /** What the demo's alerts delivered, for a look (GET at its url) or a test. */
    webhookReceiver: receiver,
    notice: `Demo: shop sites ${sites.url}  webhook receiver ${receiver.url} (alerts on the failing demo scraper; incidents on the admin's Alerts page)`,
    async stop() {
      stopping = true;
      await stopChild(runner, 30_000);
      await Promise.all([sites.stop(), receiver.stop()]);
    },
  };
}
