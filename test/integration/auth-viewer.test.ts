import { describe, expect, it } from 'vitest';
import { seedRunner, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const { db, server } = useTestServer();

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
