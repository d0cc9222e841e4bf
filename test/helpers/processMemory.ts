/**
 * Reads a server process's memory from outside, as an operator would: its resident set from
 * /proc, and a full garbage collection forced through the inspector the process was started with
 * (`--inspect=127.0.0.1:0`), so that what is left is what the server keeps, not what it has yet to collect.
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

/** Resident set size in MB. */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** The inspector's websocket address, from what a process started with --inspect printed. */
export function inspectorUrl(output: string): string {
  const match = /Debugger listening on (ws:\/\/\S+)/.exec(output);
  if (!match) throw new Error(`the process printed no inspector address:\n${output.slice(0, 2000)}`);
  return match[1]!;
}

/** Forces a full collection in the inspected process (twice: the first may leave finalised objects for the second). */
async function collectGarbage(url: string): Promise<void> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let id = 0;
  const call = (method: string) =>
    new Promise<void>((resolve, reject) => {
      const mine = ++id;
      const onMessage = (raw: WebSocket.RawData) => {
        const message = JSON.parse(String(raw)) as { id?: number; error?: { message: string } };
        if (message.id !== mine) return;
        socket.off('message', onMessage);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve();
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id: mine, method }));
    });
  try {
    await call('HeapProfiler.enable');
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
  } finally {
    socket.close();
  }
}

/**
 * The process's resident set once collected and settled: a full collection, then the least RSS seen
 * over the next seconds (V8 and the allocator hand freed pages back to the system a little later).
 */
export async function settledRssMb(pid: number, inspector: string, settleMs = 3_000): Promise<number> {
  await collectGarbage(inspector);
  let least = rssMb(pid);
  for (const deadline = Date.now() + settleMs; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    least = Math.min(least, rssMb(pid));
  }
  return least;
}

/** process.memoryUsage() of the inspected process, in MB. */
export async function memoryUsage(url: string): Promise<Record<string, number>> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  try {
    const answer = await new Promise<{ result: { result: { value: string } } }>((resolve) => {
      socket.on('message', (raw) => resolve(JSON.parse(String(raw))));
      socket.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: 'JSON.stringify(process.memoryUsage())' } }));
    });
    const usage = JSON.parse(answer.result.result.value) as Record<string, number>;
    return Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, Math.round((v / 1048576) * 10) / 10]));
  } finally {
    socket.close();
  }
}
