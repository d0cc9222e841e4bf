/**
 * The ceiling of fan-out to many sockets on this machine: a bare websocket server (no GraphQL, no
 * database) sends a message shaped like a one-line jobLogs event to each of N sockets, at the probe
 * rate and under the same background ingest into the API server. The latency runs from asking for
 * the broadcast to each socket's receipt, so it holds what N sends and N receipts cost here, which
 * no server can avoid; LISTEN/NOTIFY, the other ceiling, holds only the database's part.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { duringBackgroundIngest, probeMessage, probeSentAt, type LoadOptions } from './load.ts';
import { every, latency, sleep, type Latency } from './stats.ts';

const SERVER = fileURLToPath(new URL('./broadcastServer.ts', import.meta.url));

/** A graphql-ws next message as the API sends it for one probe line. */
function eventText(sentAt: number, seq: number): string {
  const line = { seq, level: 'INFO', message: probeMessage(sentAt), timestamp: new Date().toISOString() };
  return JSON.stringify({ id: '2f1c6f1e-8a43-4c5e-9d3f-6b1e2a7c9d10', type: 'next', payload: { data: { jobLogs: { lastSeq: seq, lines: [line] } } } });
}

export async function broadcastLatency(httpUrl: string, subscriberCount: number, load: LoadOptions): Promise<Latency> {
  const child = fork(SERVER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const sockets: WebSocket[] = [];
  try {
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];
    const samples: Array<{ sentAt: number; latency: number }> = [];
    for (let i = 0; i < subscriberCount; i += 200) {
      const batch = Array.from({ length: Math.min(200, subscriberCount - i) }, () => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}`);
        socket.on('message', (data) => {
          const receivedAt = performance.now();
          // Parsed as a graphql-ws client parses each message.
          const message = JSON.parse(data.toString()) as { payload: { data: { jobLogs: { lines: Array<{ message: string }> } } } };
          const sentAt = probeSentAt(message.payload.data.jobLogs.lines[0]!.message);
          if (sentAt !== null) samples.push({ sentAt, latency: receivedAt - sentAt });
        });
        sockets.push(socket);
        return once(socket, 'open');
      });
      await Promise.all(batch);
    }
    const { measured } = await duringBackgroundIngest(httpUrl, load, async () => {
      const from = performance.now();
      const pacer = every(load.probesPerSecond, (n) => void child.send(eventText(performance.now(), n + 1)));
      await sleep(load.seconds * 1000);
      pacer.stop();
      return { from, to: performance.now() };
    });
    const { from, to } = measured;
    await sleep(500);
    return latency(samples.filter((s) => s.sentAt >= from && s.sentAt < to).map((s) => s.latency));
  } finally {
    for (const socket of sockets) socket.terminate();
    child.disconnect();
    await once(child, 'exit');
  }
}
