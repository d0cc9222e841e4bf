/** A free TCP port on 127.0.0.1; free of vitest, so that the benchmark imports it too. */
import { createServer } from 'node:net';

/** A port nothing listens on right now; a test keeps it so that a restarted server comes back at the same address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
