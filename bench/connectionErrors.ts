/**
 * pg emits 'error' on an idle pool or client whose server connection ends (PostgreSQL stopping, a
 * terminated backend); with no listener that is an uncaught exception that ends the benchmark. Here
 * it is reported: a pool replaces the connection at its next query, a client's next query fails.
 * A connection being closed on purpose ends quietly.
 */
import type { EventEmitter } from 'node:events';

export function reportConnectionErrors<T extends EventEmitter>(connection: T, what: string): T & { closing(): void } {
  let closing = false;
  connection.on('error', (error: Error) => {
    if (!closing) process.stderr.write(`[bench] ${what}: database connection lost: ${error.message}\n`);
  });
  return Object.assign(connection, { closing: () => void (closing = true) });
}
