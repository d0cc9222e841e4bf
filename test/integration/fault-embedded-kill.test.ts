/**
 * `npm start` on its embedded PostgreSQL, killed with SIGKILL: Node dies, its postmaster does not.
 * The next start on the same data directory finds the orphaned cluster, shuts it down cleanly and
 * starts, with every line stored before the kill; a start while another live one owns the directory
 * is refused with a message naming it.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APPEND_LOGS, batchLines } from '../helpers/logShipper.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';

const started: ServerProcess[] = [];
let dataDir: string | undefined;

afterAll(async () => {
  for (const server of started.reverse()) {
    server.kill('SIGTERM');
    await server.exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const start = async (port: number) => {
  const server = await startServerProcess({ port, env: { DATA_DIR: dataDir!, LOG_LEVEL: 'info' }, readyTimeoutMs: 60_000 });
  started.push(server);
  return server;
};

const postmasterPid = async () => Number((await readFile(path.join(dataDir!, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

describe('kill -9 of a server on its embedded PostgreSQL', () => {
  it('the next start shuts down the orphaned cluster, starts within seconds and has every line stored before the kill', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-data-'));
    // mkdtemp makes the folder private; PostgreSQL runs as its own user and must reach its data inside.
    await chmod(dataDir, 0o755);
    const first = await start(await freePort());
    const { createRunner } = await first.admin.data(`mutation { createRunner(name: "kill-runner") { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`);
    const runner = first.client({ apiKey: createRunner.data.apiKey });
    const { createScraper } = await first.admin.data(
      `mutation($input: CreateScraperInput!) { createScraper(input: $input) { __typename ... on MutationCreateScraperSuccess { data { id } } } }`,
      { input: { slug: 'kill-shop', name: 'Kill shop', source: { name: 'Kill shop', url: 'https://shop.example.test' }, config: { format: 'json', urls: ['https://shop.example.test/menu.json'], fields: { sku: 'id', name: 'title' } } } },
    );
    const { triggerRun } = await first.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, { id: createScraper.data.id });
    const jobId = triggerRun.data.id;
    expect((await runner.data(`mutation { claimRun { ... on MutationClaimRunSuccess { data { id } } } }`)).claimRun.data.id).toBe(jobId);
    for (let b = 1; b <= 3; b++) await runner.data(APPEND_LOGS, { jobId, batchId: `b${b}`, logs: batchLines(b, 10) });

    const orphan = await postmasterPid();
    first.kill('SIGKILL');
    await first.exited;
    // Node is gone; its PostgreSQL is not.
    expect(alive(orphan)).toBe(true);

    const startedAt = Date.now();
    const second = await start(await freePort());
    const seconds = (Date.now() - startedAt) / 1000;
    process.stdout.write(`\nrestart after kill -9 on the embedded PostgreSQL: healthy in ${seconds.toFixed(1)} s\n`);
    expect(seconds).toBeLessThan(30);
    expect(second.output()).toMatch(/the embedded PostgreSQL of a start that did not stop is still running; shutting it down/);
    expect(alive(orphan)).toBe(false);
    expect((await fetch(`http://127.0.0.1:${second.port}/healthz`)).status).toBe(200);
    const { jobLogs } = await second.admin.data(`query($jobId: ID!) { jobLogs(jobId: $jobId, first: 100) { edges { node { seq message } } } }`, { jobId });
    expect(jobLogs.edges.map((e: any) => e.node.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(jobLogs.edges.map((e: any) => e.node.message)).toEqual([1, 2, 3].flatMap((b) => batchLines(b, 10).map((l) => l.message)));
  }, 120_000);

  it('a start while another live server owns the data directory is refused, naming it, and leaves that one running', async () => {
    const owner = started.at(-1)!;
    const port = await freePort();
    const refused = await startServerProcess({ port, env: { DATA_DIR: dataDir!, LOG_LEVEL: 'info' }, readyTimeoutMs: 60_000 }).then(
      (server) => {
        started.push(server);
        return null;
      },
      (error: Error) => error.message,
    );
    expect(refused).toMatch(new RegExp(`Scrapedeck could not start: the embedded PostgreSQL in .* is in use by Scrapedeck process ${owner.pid}`));
    expect(refused).toMatch(/exited during start \(code 1/);
    expect((await fetch(`http://127.0.0.1:${owner.port}/healthz`)).status).toBe(200);
  }, 60_000);
});
