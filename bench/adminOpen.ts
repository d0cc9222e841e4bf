/**
 * Opening a run's page in the admin, in Chromium at 1280 × 900: a run of many lines beside the same
 * page for a run of 100 lines, measured in the same run. Each open is a fresh browser context (cold
 * cache, no state), timed in the page from its navigation start: the first log row in the page,
 * every line loaded (the viewer's data-loaded="all", set once the ended run's log is complete and
 * rendered), and the main thread's long tasks (over 50 ms) until then.
 */
import { existsSync } from 'node:fs';
import type pg from 'pg';
import type { Browser } from 'playwright-core';
import { ensureAdminBuilt, launchBrowser } from '../test/helpers/browser.ts';
import { seedScraper } from '../test/helpers/seed.ts';

type OpenFigures = {
  lines: number;
  opens: number;
  /** Medians over the opens, in ms from navigation start. */
  firstRowMs: number;
  allLoadedMs: number;
  /** Median count of long tasks per open, and the longest of any open. */
  longTasks: number;
  longestTaskMs: number;
};

export type AdminOpenFigures = {
  small: OpenFigures;
  large: OpenFigures;
  /** large / small: the first screen, and every line loaded. */
  firstRowRatio: number;
  allLoadedRatio: number;
};

const SMALL_LINES = 100;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 900 };
/** Long tasks are reported once they end: the task that rendered the last lines is seen this long after. */
const SETTLE_MS = 300;

type PageTimes = { firstRow: number | null; allLoaded: number | null; longTasks: number[] };

/**
 * Runs in the page before its own scripts: notes every long task, and checks every frame, before it
 * is painted, for the first row and the complete log (the time is that of the first frame showing
 * it). Text, not a function: the TypeScript loader wraps functions in helpers the page does not have.
 */
const OBSERVE_OPEN = `
  const times = { firstRow: null, allLoaded: null, longTasks: [] };
  window.__openTimes = times;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) times.longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
  const check = () => {
    if (times.firstRow == null && document.querySelector('.log-row')) times.firstRow = performance.now();
    if (document.querySelector('[data-loaded="all"]')) times.allLoaded = performance.now();
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
`;

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** A finished run with that many stored lines, inserted straight into the database. */
async function runWithLines(pool: pg.Pool, lines: number, label: string): Promise<number> {
  const { scraperId } = await seedScraper(pool, { slug: `bench-admin-${label}` });
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO run (scraper_id, status, triggered_by, queued_at, started_at, completed_at, duration_seconds)
     VALUES ($1, 'SUCCESS', 'API', now() - interval '20 minutes', now() - interval '20 minutes', now() - interval '5 minutes', 900)
     RETURNING id`,
    [scraperId],
  );
  const runId = rows[0]!.id;
  // The level mix of the 100,000-line end-to-end test: every 100th line an ERROR, every 10th otherwise a WARNING.
  await pool.query(
    `INSERT INTO log_line (run_id, seq, level, message, "timestamp")
     SELECT $1, g,
            (CASE WHEN g % 100 = 0 THEN 'ERROR' WHEN g % 10 = 0 THEN 'WARNING' ELSE 'INFO' END)::"LogLevel",
            'GET https://shop.example.com/catalog?page=' || g % 1000 || ' 200 OK ' || g % 997 || 'ms items=' || g % 50,
            now() - interval '20 minutes' + g * interval '5 milliseconds'
       FROM generate_series(1, $2::int) g`,
    [runId, lines],
  );
  await pool.query(
    `UPDATE run SET last_seq = $2, info_count = $2 - $2 / 10, warning_count = $2 / 10 - $2 / 100, error_count = $2 / 100 WHERE id = $1`,
    [runId, lines],
  );
  return runId;
}

async function openOnce(browser: Browser, baseUrl: string, token: string, runId: number): Promise<PageTimes> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    // Signed in as the sign-in page leaves it: the session for this tab.
    await context.addInitScript(`sessionStorage.setItem('scrapedeck.session', ${JSON.stringify(JSON.stringify({ token, role: 'ADMIN' }))});`);
    await context.addInitScript(OBSERVE_OPEN);
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    await page.goto(`${baseUrl}/runs/${runId}`);
    await page.locator('[data-loaded="all"]').waitFor();
    await page.waitForTimeout(SETTLE_MS);
    const times = (await page.evaluate('window.__openTimes')) as PageTimes;
    if (times.firstRow == null || times.allLoaded == null) throw new Error(`run ${runId} opened without its times: ${JSON.stringify(times)}`);
    return times;
  } finally {
    await context.close();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function summary(lines: number, opens: PageTimes[]): OpenFigures {
  return {
    lines,
    opens: opens.length,
    firstRowMs: Math.round(median(opens.map((o) => o.firstRow!))),
    allLoadedMs: Math.round(median(opens.map((o) => o.allLoaded!))),
    longTasks: median(opens.map((o) => o.longTasks.length)),
    longestTaskMs: Math.round(Math.max(0, ...opens.flatMap((o) => o.longTasks))),
  };
}

/**
 * Opens each run `repetitions` times, the two sizes in turn so that a change in the machine's load
 * touches both alike, after one open that is not counted (Chromium's first page compiles the admin)
 * unless each is opened once.
 */
export async function adminOpenPhase(
  pool: pg.Pool,
  baseUrl: string,
  token: string,
  sizes: { lines: number; repetitions: number },
): Promise<AdminOpenFigures> {
  await ensureAdminBuilt();
  const smallRun = await runWithLines(pool, SMALL_LINES, 'small');
  const largeRun = await runWithLines(pool, sizes.lines, 'large');
  await pool.query('VACUUM ANALYZE log_line');
  const browser = await launchBrowser();
  try {
    // A single open (the smoke test's scale) measures the cold start too, and keeps the phase short.
    if (sizes.repetitions > 1) await openOnce(browser, baseUrl, token, smallRun);
    const small: PageTimes[] = [];
    const large: PageTimes[] = [];
    for (let i = 0; i < sizes.repetitions; i++) {
      small.push(await openOnce(browser, baseUrl, token, smallRun));
      large.push(await openOnce(browser, baseUrl, token, largeRun));
    }
    const s = summary(SMALL_LINES, small);
    const l = summary(sizes.lines, large);
    return { small: s, large: l, firstRowRatio: l.firstRowMs / s.firstRowMs, allLoadedRatio: l.allLoadedMs / s.allLoadedMs };
  } finally {
    await browser.close();
  }
}
