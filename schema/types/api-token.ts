import type { ApiToken } from '../../server/db/entities.ts';
import { builder } from '../builder.ts';
import { forwardOnly, toConnection } from '../connection.ts';
import { orgActor } from '../context.ts';

export const ApiTokenType = builder.objectRef<ApiToken>('ApiToken').implement({
  description: 'A credential for an ATS integration. The secret is only ever shown by createApiToken.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the token, to recognise it' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreateApiTokenPayload = builder.objectRef<{ token: string; apiToken: ApiToken }>('CreateApiTokenPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret: shown this once, stored only as a hash' }),
    apiToken: t.field({ type: ApiTokenType, resolve: (payload) => payload.apiToken }),
  }),
});

builder.queryField('apiTokens', (t) =>
  t.connection({
    type: ApiTokenType,
    description: "The org's API tokens, oldest first (revoked ones included)",
    resolve: async (_root, args, ctx) => toConnection(await ctx.services.apiTokens.list(orgActor(ctx), forwardOnly(args))),
  }),
);

builder.mutationField('createApiToken', (t) =>
  t.field({
    type: CreateApiTokenPayload,
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, { name }, ctx) => ctx.services.apiTokens.create(orgActor(ctx), name),
  }),
);

builder.mutationField('revokeApiToken', (t) =>
  t.field({
    type: ApiTokenType,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.services.apiTokens.revoke(orgActor(ctx), id),
  }),
);
