/** API tokens: the ApiToken type, the admin's token list, and making and revoking tokens. */
import { z } from 'zod';
import { TokenRole } from '../db/generated/prisma/enums.ts';
import { builder } from '../graphql/builder.ts';
import { MUTATION_ERRORS } from '../graphql/errors.ts';
import { parseId } from '../graphql/ids.ts';
import type { Principal } from './principal.ts';
import { createToken, revokeToken, type CreatedToken } from './tokenOperations.ts';

const TokenRoleEnum = builder.enumType(TokenRole, {
  name: 'TokenRole',
  description: 'ADMIN may do everything; VIEWER may read and subscribe.',
});

const ApiTokenRef = builder.prismaObject('ApiToken', {
  description: 'A bearer token for people and integrations. Its secret is shown once, at creation; only a hash is kept.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.expose('role', { type: TokenRoleEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedTokenRef = builder.objectRef<CreatedToken>('CreatedToken').implement({
  description: 'A new token with its secret, which is never shown again.',
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send it as `Authorization: Bearer <token>`. Shown once.' }),
    apiToken: t.field({ type: ApiTokenRef, resolve: (created) => created.apiToken }),
  }),
});

/** A label a person reads in the token list. */
const TOKEN_NAME = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not hold control characters');

/** What the caller may do, so that a client can hide what it would be refused. */
const ViewerRoleEnum = builder.enumType('ViewerRole', {
  values: ['ADMIN', 'VIEWER', 'RUNNER', 'ANONYMOUS'] as const,
  description: 'Who is calling: ADMIN may change things, VIEWER may only read, RUNNER executes runs.',
});

const ROLES = { admin: 'ADMIN', viewer: 'VIEWER', runner: 'RUNNER', anonymous: 'ANONYMOUS' } as const;

const ViewerRef = builder.objectRef<Principal>('Viewer').implement({
  description: 'The caller as the server sees it.',
  fields: (t) => ({
    role: t.field({ type: ViewerRoleEnum, resolve: (principal) => ROLES[principal.kind] }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    description: 'Who is calling; open to everyone, so that a client can check a token before using it.',
    resolve: (_root, _args, ctx) => ctx.principal,
  }),
  tokens: t.prismaField({
    type: ['ApiToken'],
    description: 'Every token, newest first, revoked ones included; never their secrets.',
    authScopes: { admin: true },
    resolve: (query, _root, _args, ctx) => ctx.db.prisma.apiToken.findMany({ ...query, orderBy: { id: 'desc' } }),
  }),
}));

builder.mutationFields((t) => ({
  createToken: t.field({
    type: CreatedTokenRef,
    description: 'Makes a bearer token and returns its secret once.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: {
      name: t.arg.string({ required: true, validate: TOKEN_NAME }),
      role: t.arg({ type: TokenRoleEnum, required: true }),
    },
    resolve: (_root, { name, role }, ctx) => createToken(ctx.db, { name, role }),
  }),
  revokeToken: t.field({
    type: ApiTokenRef,
    description: 'Revokes a token: it is refused from the next request on. Revoking twice keeps the first time.',
    authScopes: { admin: true },
    errors: { types: [...MUTATION_ERRORS] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => revokeToken(ctx.db, parseId(id, 'ApiToken')),
  }),
}));
