/**
 * Starts a runner as a child process of this one (the demo in `npm start`, and tests). The key
 * travels in the environment, not on the command line, where any user of the machine could read it.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const ENTRY = path.join(REPO_ROOT, 'scrapers', 'runner', 'main.ts');

export type SpawnRunnerOptions = {
  apiUrl: string;
  apiKey: string;
  name: string;
  spoolDir: string;
  /** More settings as environment variables (RUNNER_CONCURRENCY, RUNNER_POLL_MS, …). */
  env?: Record<string, string>;
  /** stdin, stdout and stderr; an IPC channel is always added. */
  stdio?: StdioOptions;
};

export function spawnRunner(options: SpawnRunnerOptions): ChildProcess {
  const [stdin, stdout, stderr] = (options.stdio as unknown[] | undefined) ?? ['ignore', 'pipe', 'pipe'];
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    cwd: REPO_ROOT,
    // The IPC channel closes when this process dies, however it dies: the runner then stops too.
    stdio: [stdin, stdout, stderr, 'ipc'] as StdioOptions,
    env: {
      ...process.env,
      SCRAPEDECK_API_URL: options.apiUrl,
      SCRAPEDECK_RUNNER_KEY: options.apiKey,
      RUNNER_NAME: options.name,
      RUNNER_SPOOL_DIR: options.spoolDir,
      ...options.env,
    },
  });
  // The channel is only a lifeline for the child: it must not keep this process running.
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  return child;
}

/** Sends SIGTERM and waits for the exit; SIGKILL after `killAfterMs`. Resolves to the exit code. */
export function stopChild(child: ChildProcess, killAfterMs = 30_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}
