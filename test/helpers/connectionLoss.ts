/**
 * pg emits 'error' on an idle pool or client whose server connection ends (a terminated backend,
 * PostgreSQL stopped or restarted, a test database dropped); with no listener that is an uncaught
 * exception, which fails the whole run however well the test itself went. A test's connections
 * take it in stride: a pool replaces the lost connection at its next query, and a client's next
 * query fails, failing the test that still needed it.
 */
import type { EventEmitter } from 'node:events';

export function tolerateConnectionLoss<T extends EventEmitter>(connection: T): T {
  return connection.on('error', () => undefined);
}
