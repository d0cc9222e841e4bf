/**
 * Runs the server exactly as `npm start` does (main.ts under tsx), in its own process: its
 * memory is then its own to measure, and the load generator never shares its event loop.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../server/net/freePort.ts';

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type ServerProcess = {
  pid: number;
  httpUrl: string;
  wsUrl: string;
  /** Resident set size of the server process, in bytes. */
  rss(): Promise<number>;
  /** False once the process has exited (a phase that pushes it past its limits may end it). */
  running(): boolean;
  /** How it ended, once it has: its exit code or signal and the last of its output. */
  exit(): { code: number | null; signal: string | null; output: string } | null;
  stop(): Promise<void>;
};

export async function startServerProcess(databaseUrl: string): Promise<ServerProcess> {
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server under the benchmark's load.
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // BENCH_SERVER_STRIP_TYPES=1 runs it with Node's own type stripping instead (measured: no smaller at rest).
  const loader = process.env.BENCH_SERVER_STRIP_TYPES === '1' ? [] : ['--import', 'tsx'];
  // As in `npm start`: a 16 MB young generation, and a heap bounded by MAX_HEAP_MB (384), which V8
  // then collects instead of growing: measured, a peak RSS of ~230 MB with 1,000 subscribers under
  // ingest instead of ~490 MB, and ~480 MB with 10,000 subscriptions (about 25 KB of heap each).
  // The young generation trades ~30 MB of RSS for ingest: with 4 MB, a quarter of the server's CPU
  // went to scavenges and the lines they promoted (ingest 0.42 -> 0.51 of COPY with 16 MB).
  const heap = `--max-old-space-size=${process.env.MAX_HEAP_MB ?? 384}`;
  const child = spawn(process.execPath, ['--max-semi-space-size=16', heap, ...nodeArgs, ...loader, 'main.ts'], {
    cwd: ROOT,
    env: {
      // As in `npm start`: big blocks are mapped and handed back when freed, instead of fragmenting the heap.
      MALLOC_MMAP_THRESHOLD_: '65536',
      MALLOC_TRIM_THRESHOLD_: '131072',
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      DEMO: 'false',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      // Every simulated client comes from one address with one token: per-IP and per-key limits off.
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
      RATE_LIMIT_IP_MUTATIONS_PER_MINUTE: '0',
      RATE_LIMIT_CONNECTIONS_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // BENCH_SERVER_ECHO=1 passes the server's own output through, for working on a phase.
  const echo = process.env.BENCH_SERVER_ECHO === '1';
  const keep = (chunk: Buffer) => {
    if (echo) process.stderr.write(chunk);
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let stopping = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      // A server that goes away in the middle of a phase says why, or the phase fails without a cause.
      if (!stopping) process.stderr.write(`[bench] the server exited (code ${code}, signal ${signal}):\n${output}\n`);
      resolve(code);
    }),
  );
  let running = true;
  let ended: { code: number | null; signal: string | null } | null = null;
  child.once('exit', (code, signal) => (ended = { code, signal }));
  void exited.then(() => (running = false));

  const httpUrl = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!running) throw new Error(`the server exited during start:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /healthz within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    pid: child.pid!,
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    async rss() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
      if (!Number.isFinite(kib)) throw new Error('no VmRSS for the server process');
      return kib * 1024;
    },
    running: () => running,
    exit: () => (ended ? { ...ended, output } : null),
    async stop() {
      if (!running) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
