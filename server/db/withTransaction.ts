/** Runs a function inside one transaction on one pooled connection: committed if it returns, rolled back if it throws. */
import type pg from 'pg';
import { holdConnection } from './heldConnection.ts';

export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const held = await holdConnection(pool);
  const { client } = held;
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot roll back is dropped from the pool rather than handed out mid-transaction.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    held.release(broken);
  }
}
