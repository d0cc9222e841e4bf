import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { seedRunner, seedToken } from '../helpers/seed.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url);
});

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe('viewer', () => {
  it('tells each caller its role, and an unknown token that it is anonymous', async () => {
    const role = async (credentials: { token?: string; apiKey?: string }) =>
      (await server.client(credentials).data('{ viewer { role } }')).viewer.role;
    expect(await server.admin.data('{ viewer { role } }')).toEqual({ viewer: { role: 'ADMIN' } });
    expect(await role({ token: (await seedToken(db.pool, 'ADMIN')).token })).toBe('ADMIN');
    expect(await role({ token: (await seedToken(db.pool, 'VIEWER')).token })).toBe('VIEWER');
    expect(await role({ apiKey: (await seedRunner(db.pool)).apiKey })).toBe('RUNNER');
    expect(await role({ token: 'not-a-token' })).toBe('ANONYMOUS');
    expect(await role({})).toBe('ANONYMOUS');
  });
});
