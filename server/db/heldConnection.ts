/**
 * A connection taken out of the pool for several statements (a transaction, a lock held across
 * queries). While it is out, the pool does not listen for its errors, and a connection PostgreSQL
 * ends between two statements (a restart, pg_terminate_backend) would emit 'error' with no listener
 * and end the process. Held here, the loss is recorded, the statement in flight or the next one fails
 * with it, and the connection is destroyed on release instead of going back to the pool.
 */
import type pg from 'pg';

export type HeldConnection = {
  client: pg.PoolClient;
  /** Back to the pool; destroyed instead when `broken` is given or the connection was lost. */
  release(broken?: Error): void;
};

export async function holdConnection(pool: pg.Pool): Promise<HeldConnection> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost ??= error;
  };
  client.on('error', onError);
  return {
    client,
    release(broken) {
      client.off('error', onError);
      client.release(broken ?? lost);
    },
  };
}
