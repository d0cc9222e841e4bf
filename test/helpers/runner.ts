/**
 * Runners as real child processes for tests: start one against an API, read what it printed (every
 * line it shipped is echoed as JSON with its jobId), and stop it with SIGTERM like an operator would.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnRunner, stopChild } from '../../scrapers/runner/spawnRunner.ts';

type RunnerOutputLine = { level: number; msg: string; jobId?: string; jobLevel?: string; [key: string]: unknown };

export type TestRunner = {
  name: string;
  child: ChildProcess;
  spoolDir: string;
  /** Every JSON line the runner printed so far. */
  output: RunnerOutputLine[];
  /** The lines the runner logged for one run, in the order it logged them. */
  jobLines(jobId: string): Array<{ level: string; message: string }>;
  /** The runs this runner claimed. */
  claimedJobs(): string[];
  waitForOutput(condition: (output: RunnerOutputLine[]) => boolean, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then wait for the exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
};

export async function startRunner(options: {
  apiUrl: string;
  apiKey: string;
  name?: string;
  /** A fresh temporary folder unless given (pass the same one to a restarted runner). */
  spoolDir?: string;
  concurrency?: number;
  pollMs?: number;
  heartbeatMs?: number;
  env?: Record<string, string>;
  /** Resolve only once the runner says it started (default true). */
  waitForStart?: boolean;
}): Promise<TestRunner> {
  const name = options.name ?? `test-runner-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const ownSpool = options.spoolDir === undefined;
  const spoolDir = options.spoolDir ?? (await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-spool-')));
  const child = spawnRunner({
    apiUrl: options.apiUrl,
    apiKey: options.apiKey,
    name,
    spoolDir,
    env: {
      RUNNER_CONCURRENCY: String(options.concurrency ?? 1),
      RUNNER_POLL_MS: String(options.pollMs ?? 200),
      RUNNER_HEARTBEAT_MS: String(options.heartbeatMs ?? 2_000),
      RUNNER_LOG_LEVEL: 'debug',
      ...options.env,
    },
  });
  const output: RunnerOutputLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        output.push(JSON.parse(line) as RunnerOutputLine);
      } catch {
        output.push({ level: 30, msg: line });
      }
    }
    waiters.forEach((w) => w());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    waiters.forEach((w) => w());
    resolve(code);
  }));

  const waitForOutput = (condition: (lines: RunnerOutputLine[]) => boolean, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (condition(output)) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`runner ${name} exited (${child.exitCode ?? child.signalCode}); stderr: ${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`runner ${name}: condition not met in ${timeoutMs} ms; last output: ${JSON.stringify(output.slice(-5))}; stderr: ${stderr}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const cleanup = async () => {
    if (ownSpool) await rm(spoolDir, { recursive: true, force: true });
  };
  const runner: TestRunner = {
    name,
    child,
    spoolDir,
    output,
    jobLines: (jobId) =>
      output.filter((l) => l.jobId === jobId && typeof l.jobLevel === 'string').map((l) => ({ level: l.jobLevel!, message: l.msg })),
    claimedJobs: () => output.filter((l) => l.msg === 'claimed run').map((l) => String(l.jobId)),
    waitForOutput,
    async stop() {
      const code = await stopChild(child, 30_000);
      await cleanup();
      return code;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
      await cleanup();
    },
    exited,
  };
  if (options.waitForStart !== false) await waitForOutput((lines) => lines.some((l) => l.msg === 'runner started'));
  return runner;
}
