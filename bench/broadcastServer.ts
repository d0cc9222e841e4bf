/**
 * The bare websocket server of the broadcast ceiling, in its own process as the API server is: told
 * by IPC, it sends the given text to every connected socket, one send each, as any fan-out must.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('listening', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('message', (text: string) => {
  for (const socket of server.clients) socket.send(text);
});
process.on('disconnect', () => process.exit(0));
