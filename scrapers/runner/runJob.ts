/**
 * Executes one claimed run from start to end: logs each step, proves the runner alive, runs the
 * scraper, ships products and lines through the run's outbox, and reports the outcome last, after
 * every line and product, so that a finished run in the API has all of them.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { definitionFromConfig, type ScraperDefinition } from '../../contract/definitionSchema.ts';
import type { Product } from '../../contract/product.ts';
import { runScraper, ScraperInitError, type ScrapeSummary } from '../engine/runScraper.ts';
import { RejectedError, type ApiClient, type ClaimedRun } from './apiClient.ts';
import type { RunResultInput } from './gql/graphql.ts';
import { LogShipper } from './logShipper.ts';
import { Outbox } from './outbox.ts';

export type JobContext = {
  api: ApiClient;
  logger: Logger;
  runnerName: string;
  session: string;
  spoolDir: string;
  heartbeatMs: number;
  memoryLimit: number;
  /** Aborted when the runner stops and will not wait for the run to finish. */
  shutdown: AbortSignal;
  /** When a stopping runner gives up sending and keeps what is left on disk. */
  giveUpAt(): number;
};

type Stop = { kind: 'cancelled' | 'lost'; status: string } | { kind: 'shutdown' };

const PRODUCT_BATCH = 200;

export async function runJob(run: ClaimedRun, ctx: JobContext): Promise<void> {
  const jobId = run.id;
  const stopper = new AbortController();
  let stop: Stop | null = null;
  /** The API refused an operation because the run is no longer RUNNING: stop working for it. */
  const onRunEnded = (status: string) => {
    if (!stop) ctx.logger.info({ jobId, status }, 'the run has ended on the server; stopping its work');
    stop ??= { kind: status === 'CANCELLED' ? 'cancelled' : 'lost', status };
    stopper.abort();
  };
  const outbox = new Outbox(ctx.api, path.join(ctx.spoolDir, `job-${jobId}`), ctx.logger, { memoryLimit: ctx.memoryLimit, onRunEnded });
  const shipper = new LogShipper(jobId, outbox, ctx.logger, ctx.session);
  const log = shipper.log.bind(shipper);
  const onShutdown = () => {
    stop ??= { kind: 'shutdown' };
    stopper.abort();
  };
  ctx.shutdown.addEventListener('abort', onShutdown, { once: true });
  const heartbeat = setInterval(() => void beat(), ctx.heartbeatMs);
  async function beat() {
    try {
      await ctx.api.heartbeat(jobId);
    } catch (error) {
      if (error instanceof RejectedError && error.typename === 'RunStateError') {
        onRunEnded(String(error.details.status));
      } else {
        ctx.logger.warn({ jobId, err: (error as Error).message }, 'heartbeat failed; will try again');
      }
    }
  }

  let products = 0;
  let productBatches = 0;
  const sendProducts = (list: Product[]) => {
    for (let i = 0; i < list.length; i += PRODUCT_BATCH) {
      const batch = list.slice(i, i + PRODUCT_BATCH);
      products += batch.length;
      outbox.push({ kind: 'products', jobId, batchId: `products.${ctx.session}.${jobId}.${++productBatches}`, products: batch });
    }
  };

  const execute = async (): Promise<RunResultInput> => {
    log('INFO', `Job ${jobId} started on runner ${ctx.runnerName} (attempt ${run.retryCount + 1})`);
    let definition: ScraperDefinition;
    try {
      definition = definitionFromConfig(run.scraper.config, run.scraper);
      log('INFO', `Scraper config loaded: ${run.scraper.slug} (${definition.format}, ${definition.urls ? `${definition.urls.length} listing URL(s)` : `${definition.skus!.list.length} SKUs`})`);
    } catch (error) {
      log('ERROR', `Scraper config failed to parse: ${(error as Error).message}`);
      return { status: 'ERROR', productsFound: 0, productsProcessed: 0, errorType: 'CONFIG_INVALID', errorMessage: (error as Error).message };
    }
    const skuCount = definition.skus ? `${definition.skus.list.length} SKUs` : `SKUs read from ${definition.urls!.length} listing URL(s)`;
    log('INFO', `Job ${jobId}: 1 scraper (${run.scraper.slug}), ${skuCount}`);
    if (definition.skus?.list.length === 0) {
      log('WARNING', 'No SKUs to process');
      return { status: 'SUCCESS', productsFound: 0, productsProcessed: 0 };
    }
    log('INFO', `Scraper ${run.scraper.slug} started`);
    let summary: ScrapeSummary;
    try {
      summary = await runScraper(definition, { log, onProducts: sendProducts, signal: stopper.signal });
    } catch (error) {
      if (error instanceof ScraperInitError) {
        log('CRITICAL', `Scraper ${run.scraper.slug} failed to initialise: ${error.type}: ${error.message}`);
        return { status: 'ERROR', productsFound: 0, productsProcessed: 0, errorType: 'INIT_FAILED', errorMessage: `${error.type}: ${error.message}` };
      }
      throw error;
    }
    if (stop) {
      return stopped(stop, summary, products, log);
    }
    if (summary.skus === 0) log('WARNING', 'No SKUs to process');
    log('INFO', `Job ${jobId} complete: ${summary.skus} SKUs processed (${summary.found} with data, ${summary.noData} without, ${summary.failed} failed)`);
    return {
      status: summary.failed === 0 ? 'SUCCESS' : summary.found > 0 ? 'WARNING' : 'ERROR',
      productsFound: summary.skus,
      productsProcessed: products,
      errorType: summary.failed > 0 ? 'SKUS_FAILED' : null,
      errorMessage: summary.failed > 0 ? `${summary.failed} of ${summary.skus} SKUs failed; first: ${summary.firstFailure}` : null,
      listingComplete: summary.listingComplete,
    };
  };

  let result: RunResultInput;
  const startedAt = new Date().toISOString();
  try {
    result = await execute();
  } catch (error) {
    const e = error as Error;
    log('ERROR', `Job ${jobId} failed: ${e.name}: ${e.message}`);
    result = { status: 'ERROR', productsFound: 0, productsProcessed: products, errorType: e.name || 'Error', errorMessage: e.message };
  } finally {
    shipper.flush();
  }
  // The run is over here, whenever its outcome reaches the API.
  const finishedAt = new Date().toISOString();
  try {
    // A cancelled or lost run is no longer this runner's to complete, nor to log to: the outbox drops what is left.
    const how = stop as Stop | null; // set by the heartbeat or the shutdown, out of this function's sight
    if (!how || how.kind === 'shutdown') outbox.push({ kind: 'complete', jobId, result: { ...result!, startedAt, finishedAt } });
    while (!(await outbox.drain(Math.min(ctx.giveUpAt(), Date.now() + 1_000))) && Date.now() < ctx.giveUpAt()) {
      // keep sending until delivered or the runner gives up
    }
  } finally {
    clearInterval(heartbeat);
    ctx.shutdown.removeEventListener('abort', onShutdown);
    const left = await outbox.close();
    const ended = stop as Stop | null;
    if (left > 0) ctx.logger.warn({ jobId, left, dir: outbox.dir }, 'kept unsent operations on disk; the next runner start sends them');
    else if (ended && ended.kind !== 'shutdown') ctx.logger.info({ jobId, status: ended.status }, 'job stopped: the run ended on the server');
    else ctx.logger.info({ jobId, status: result!.status }, 'job reported');
  }
}

function stopped(stop: Stop, summary: ScrapeSummary, products: number, log: LogShipper['log']): RunResultInput {
  if (stop.kind === 'shutdown') {
    log('WARNING', `Runner is shutting down: run stopped after ${summary.skus} SKUs and released as ERROR`);
    return { status: 'ERROR', productsFound: summary.skus, productsProcessed: products, errorType: 'RUNNER_SHUTDOWN', errorMessage: 'The runner stopped before the run finished' };
  }
  log('WARNING', stop.kind === 'cancelled' ? `Job cancelled: stopped after ${summary.skus} SKUs` : `Run is ${stop.status} and no longer held by this runner: stopped`);
  return { status: 'ERROR', productsFound: summary.skus, productsProcessed: products };
}
