/**
 * The fleet phase's side of the idle runners' process (fleetRunners.ts): started as the server is,
 * with the same Node and tsx, so that the runners' event loop and memory are neither the server's
 * nor the load generator's.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetCommand, FleetReport, FleetTally } from './fleetRunners.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type FleetProcess = {
  pid: number;
  /** Starts these runners at perSecond; resolves once the last has asked for its first claim. */
  add(options: { url: string; keys: string[]; heldClaims: boolean; waitSeconds: number; pollMs: number; perSecond: number }): Promise<number>;
  tally(): Promise<FleetTally>;
  /** Called with each claimed run and the wall-clock time (performance.timeOrigin + now()) its claim was answered. */
  onClaim(listener: (runId: string, at: number) => void): void;
  /** Hangs up every wait and ends the process. */
  stop(): Promise<FleetTally>;
};

export function startFleetProcess(): FleetProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/fleetRunners.ts'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const claimListeners: Array<(runId: string, at: number) => void> = [];
  type Pending = { resolve: (report: FleetReport) => void; reject: (error: Error) => void };
  const waiting = new Map<FleetReport['kind'], Pending[]>();
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const list of waiting.values()) for (const pending of list.splice(0)) pending.reject(new Error(`the runners' process exited:\n${output}`));
      if (code !== 0) process.stderr.write(`[bench] the runners' process exited (code ${code}, signal ${signal}):\n${output}\n`);
      resolve();
    }),
  );
  child.on('message', (report: FleetReport) => {
    if (report.kind === 'claimed') for (const listener of claimListeners) listener(report.runId, report.at);
    else waiting.get(report.kind)?.shift()?.resolve(report);
  });
  const ask = <K extends FleetReport['kind']>(command: FleetCommand, answer: K) =>
    new Promise<Extract<FleetReport, { kind: K }>>((resolve, reject) => {
      if (exited) return reject(new Error(`the runners' process has exited:\n${output}`));
      const list = waiting.get(answer) ?? [];
      list.push({ resolve: (report) => resolve(report as Extract<FleetReport, { kind: K }>), reject });
      waiting.set(answer, list);
      child.send(command);
    });
  return {
    pid: child.pid!,
    async add(options) {
      return (await ask({ kind: 'add', ...options }, 'added')).runners;
    },
    async tally() {
      return (await ask({ kind: 'tally' }, 'tally')).tally;
    },
    onClaim(listener) {
      claimListeners.push(listener);
    },
    async stop() {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        const { tally } = await ask({ kind: 'stop' }, 'stopped');
        await gone;
        return tally;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
