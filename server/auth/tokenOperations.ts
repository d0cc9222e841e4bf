/** Bearer tokens for people and integrations: made with a secret shown once, listed without it, revoked at once. */
import type { Database } from '../db/database.ts';
import type { ApiToken } from '../db/generated/prisma/client.ts';
import type { TokenRole } from '../db/generated/prisma/enums.ts';
import { NotFoundError } from '../domainErrors.ts';
import { generateSecret, hashSecret } from './secrets.ts';
import { revokeCredential } from './sql/revokeCredential.ts';

export type CreatedToken = { token: string; apiToken: ApiToken };

export async function createToken(
  db: Database,
  input: { name: string; role: TokenRole },
): Promise<CreatedToken> {
  const token = generateSecret('token');
  const apiToken = await db.prisma.apiToken.create({
    data: { name: input.name, role: input.role, tokenHash: hashSecret(token) },
  });
  return { token, apiToken };
}

/** Revoking twice keeps the first revocation time; the token is refused from the next request on. */
export async function revokeToken(db: Database, id: number): Promise<ApiToken> {
  if (!(await revokeCredential(db, 'token', id))) throw new NotFoundError('ApiToken', String(id));
  return db.prisma.apiToken.findUniqueOrThrow({ where: { id } });
}
