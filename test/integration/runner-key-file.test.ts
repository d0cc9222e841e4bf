/**
 * A runner started with --key-file works like one given its key in the environment, and its key
 * appears nowhere in its command line (what `ps` shows every user of the machine).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, stopChild } from '../../scrapers/runner/spawnRunner.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const { db, server } = useTestServer();
let dir: string | undefined;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run runner -- --key-file', () => {
  it('claims and runs with the key from the file, which stays out of its command line', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-keyfile-'));
    const { apiKey } = await seedRunner(db.pool);
    const keyFile = path.join(dir, 'runner.key');
    await writeFile(keyFile, `${apiKey}\n`, { mode: 0o600 });
    // A site nobody answers at: the run ends quickly, which is all this needs.
    const { scraperId } = await seedScraper(db.pool, {
      config: { format: 'json', urls: ['http://127.0.0.1:9/menu.json'], fields: { sku: 'id', name: 'title' }, retries: 0, timeoutMs: 500 },
    });
    const { rows } = await db.pool.query<{ id: number }>(`INSERT INTO run (scraper_id, triggered_by) VALUES ($1, 'API') RETURNING id`, [scraperId]);
    const runId = rows[0]!.id;

    const child = spawn(process.execPath, ['--import', 'tsx', 'scrapers/runner/main.ts', '--api', server.httpUrl, '--key-file', keyFile, '--spool-dir', path.join(dir, 'spool')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', RUNNER_POLL_MS: '100' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    try {
      await waitUntil(async () => {
        const { rows: run } = await db.pool.query<{ status: string }>(`SELECT status FROM run WHERE id = $1`, [runId]);
        return run[0]!.status === 'ERROR';
      }, 'the run to be claimed and to end');
      const commandLine = await readFile(`/proc/${child.pid}/cmdline`, 'utf8');
      expect(commandLine).toContain('--key-file');
      expect(commandLine).not.toContain(apiKey);
      expect(output).not.toMatch(/--key, which every user/);
    } finally {
      await stopChild(child);
    }
  });
});
