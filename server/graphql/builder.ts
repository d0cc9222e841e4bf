/** The Pothos schema builder: plugins, scalars, auth scopes and the Context type. Settings only. */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { JSONResolver } from 'graphql-scalars';
import type PrismaTypes from '../db/generated/pothos-types.ts';
import { getDatamodel } from '../db/generated/pothos-types.ts';
import type { Context } from './context.ts';
import { NotAuthorizedError } from './notAuthorizedError.ts';
import { DateTimeScalar } from './scalars/dateTime.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  AuthScopes: { admin: boolean; viewer: boolean; runner: boolean };
}>({
  // scope-auth first, so that authorization runs before any other plugin's work on a field.
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      admin: ctx.principal.kind === 'admin',
      // Whatever a viewer may read, an admin may read too.
      viewer: ctx.principal.kind === 'admin' || ctx.principal.kind === 'viewer',
      runner: ctx.principal.kind === 'runner',
    }),
    unauthorizedError: (_parent, _context, _info, result) => new NotAuthorizedError(result.message),
  },
  prisma: {
    client: (ctx) => ctx.db.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
  errors: {
    defaultTypes: [],
    // Bad input comes back as a ValidationError in the field's result union, like every other
    // failure a client can act on. The price: validation runs before authorization, so a caller
    // without rights who sends malformed input learns what is wrong with its own input (never data).
    unsafelyHandleInputErrors: true,
  },
});

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('JSON', JSONResolver);
