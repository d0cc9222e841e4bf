import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/server.ts';

const CREATE = `mutation($name: String!, $role: TokenRole!) {
  createToken(name: $name, role: $role) {
    __typename
    ... on MutationCreateTokenSuccess { data { token apiToken { id name role createdAt lastUsedAt revokedAt } } }
    ... on ValidationError { issues { path message } }
  } }`;
const REVOKE = `mutation($id: ID!) { revokeToken(id: $id) {
  __typename ... on MutationRevokeTokenSuccess { data { id revokedAt } } ... on NotFoundError { entity id } } }`;

const { db, server } = useTestServer();

const tokenCount = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM api_token`)).rows[0].n as number;

describe('API tokens', () => {
  it('shows a new token once, keeps only its hash, and lists it without a secret', async () => {
    const { createToken } = await server.admin.data(CREATE, { name: 'Grafana', role: 'VIEWER' });
    const { token, apiToken } = createToken.data;
    expect(token).toMatch(/^sdt_[A-Za-z0-9_-]{43}$/);
    expect(apiToken).toMatchObject({ name: 'Grafana', role: 'VIEWER', lastUsedAt: null, revokedAt: null });
    const stored = (await db.pool.query(`SELECT token_hash FROM api_token WHERE id = $1`, [apiToken.id])).rows[0];
    expect(stored.token_hash).not.toContain(token);

    const listed = await server.admin.request(`{ tokens { id name role createdAt lastUsedAt revokedAt } }`);
    expect(listed.data.tokens).toContainEqual({ ...apiToken });
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(JSON.stringify(listed)).not.toContain(stored.token_hash);
    const { __type } = await server.admin.data(`{ __type(name: "ApiToken") { fields { name } } }`);
    expect(__type.fields.map((f: any) => f.name).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'role']);
  });

  it('lets a new token in at once with its role, and marks when it was used', async () => {
    const { createToken } = await server.admin.data(CREATE, { name: 'ops laptop', role: 'ADMIN' });
    const admin = server.client({ token: createToken.data.token });
    const { tokens } = await admin.data(`{ tokens { id lastUsedAt } }`);
    expect(tokens.find((t: any) => t.id === createToken.data.apiToken.id).lastUsedAt).not.toBeNull();
  });

  it('refuses a revoked token from the next request on, and keeps the first revocation time', async () => {
    const { createToken } = await server.admin.data(CREATE, { name: 'leaked', role: 'ADMIN' });
    const leaked = server.client({ token: createToken.data.token });
    expect((await leaked.request(`{ tokens { id } }`)).errors).toBeUndefined();
    const first = await server.admin.data(REVOKE, { id: createToken.data.apiToken.id });
    expect(first.revokeToken.data.revokedAt).not.toBeNull();
    const refused = await leaked.request(`{ tokens { id } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const again = await server.admin.data(REVOKE, { id: createToken.data.apiToken.id });
    expect(again.revokeToken.data.revokedAt).toBe(first.revokeToken.data.revokedAt);
  });

  it('answers an unknown token id with NotFoundError', async () => {
    for (const id of ['987654', 'nope', '-1']) {
      const { revokeToken } = await server.admin.data(REVOKE, { id });
      expect(revokeToken).toEqual({ __typename: 'NotFoundError', entity: 'ApiToken', id });
    }
  });

  const badNames: Array<[string, string]> = [
    ['an empty name', ''],
    ['a blank name', '    '],
    ['an oversize name', 'n'.repeat(101)],
    ['a huge name', 'n'.repeat(100_000)],
    ['a name with control characters', 'evil\u0000name\n'],
  ];

  it.each(badNames)('refuses %s with ValidationError and stores nothing', async (_label, name) => {
    const before = await tokenCount();
    const { createToken } = await server.admin.data(CREATE, { name, role: 'ADMIN' });
    expect(createToken.__typename).toBe('ValidationError');
    expect(createToken.issues[0].path).toBe('name');
    expect(await tokenCount()).toBe(before);
  });

  it('refuses a role that does not exist and stores nothing', async () => {
    const before = await tokenCount();
    const response = await server.admin.request(CREATE, { name: 'root', role: 'ROOT' });
    expect(response.errors?.[0]?.message).toContain('TokenRole');
    expect(await tokenCount()).toBe(before);
  });
});
