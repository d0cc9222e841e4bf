/**
 * What the fleet phase reads beside its own requests: the server's /metrics (as an operator's
 * scraper reads it), its open sockets and CPU from /proc, PostgreSQL's connections, and the admin's
 * query sent at a steady rate.
 */
import { readdir, readlink } from 'node:fs/promises';
import type pg from 'pg';
import { graphql, type Credentials } from './client.ts';
import { every, latency, sleep, type Latency } from './stats.ts';

/** The samples of /metrics the phase reads, summed over their labels: `name` alone, or `name{label="value"}` when asked by label. */
export async function scrapeMetrics(httpUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(new URL('/metrics', httpUrl))).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(scrapedeck_[a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match) continue;
    const [, name, labels = '', value] = match;
    samples.set(name!, (samples.get(name!) ?? 0) + Number(value));
    for (const label of labels.slice(1, -1).match(/[a-z_]+="[^"]*"/g) ?? []) {
      if (label.startsWith('service=')) continue;
      const key = `${name}{${label}}`;
      samples.set(key, (samples.get(key) ?? 0) + Number(value));
    }
  }
  return samples;
}

/**
 * Reads until `done` holds for what `read` says, for at most `timeoutMs`: the last reading, the
 * highest, and whether it was reached (a read that fails, as from a server that has gone, ends it
 * unreached; NaN where nothing was read).
 */
export async function waitUntil(
  read: () => Promise<number>,
  done: (value: number) => boolean,
  timeoutMs: number,
): Promise<{ value: number; most: number; reached: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let value = Number.NaN;
  let most = Number.NaN;
  for (;;) {
    try {
      value = await read();
    } catch {
      return { value, most, reached: false };
    }
    most = Number.isNaN(most) ? value : Math.max(most, value);
    if (done(value)) return { value, most, reached: true };
    if (Date.now() > deadline) return { value, most, reached: false };
    await sleep(250);
  }
}

/** Open sockets of a process: TCP connections to and from it (clients and the database) and its listening socket. */
export async function openSockets(pid: number): Promise<number> {
  const dir = `/proc/${pid}/fd`;
  const links = await Promise.all((await readdir(dir)).map((fd) => readlink(`${dir}/${fd}`).catch(() => '')));
  return links.filter((link) => link.startsWith('socket:')).length;
}

/** Client connections to PostgreSQL: the server's own pools and listeners (application_name scrapedeck*), and all of them. */
export async function databaseConnections(pool: pg.Pool): Promise<{ server: number; total: number }> {
  const { rows } = await pool.query<{ server: number; total: number }>(
    `SELECT count(*) FILTER (WHERE application_name LIKE 'scrapedeck%' AND application_name <> 'scrapedeck-bench')::int AS server,
            count(*)::int AS total
       FROM pg_stat_activity WHERE backend_type = 'client backend'`,
  );
  return rows[0]!;
}

/**
 * One query sent `perSecond` times a second for `seconds`, open loop (a slow answer does not delay
 * the next request, as a person's refresh does not wait for another's), timed each.
 */
export async function pacedQuery(httpUrl: string, viewer: Credentials, query: string, perSecond: number, seconds: number): Promise<Latency> {
  const samples: number[] = [];
  const pending: Array<Promise<void>> = [];
  let failure: Error | undefined;
  const pace = every(perSecond, () => {
    const started = performance.now();
    pending.push(
      graphql(httpUrl, viewer, query).then(
        () => void samples.push(performance.now() - started),
        (error: Error) => void (failure ??= error),
      ),
    );
  });
  await sleep(seconds * 1000);
  pace.stop();
  await Promise.all(pending);
  if (failure) throw failure;
  return latency(samples);
}

/** CPU of a process in cores, sampled every second until stopped: the mean over the whole time and the busiest second. */
export function cpuOver(read: () => Promise<number>): { stop(): Promise<{ mean: number; peak: number; seconds: number }> } {
  const begun = performance.now();
  let stopped = false;
  let peak = 0;
  const first = read();
  const loop = (async () => {
    let last = await first;
    let lastAt = performance.now();
    while (!stopped) {
      await sleep(1000);
      const now = await read();
      const at = performance.now();
      peak = Math.max(peak, (now - last) / ((at - lastAt) / 1000));
      last = now;
      lastAt = at;
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const seconds = (performance.now() - begun) / 1000;
      return { mean: ((await read()) - (await first)) / seconds, peak, seconds };
    },
  };
}
