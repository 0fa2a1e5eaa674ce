import { DEFAULT_API_TOKEN_SCOPES, Scope } from '../../server/auth/scopes.ts';
import type { ApiToken } from '../../server/db/entities.ts';
import { builder } from '../builder.ts';
import { forwardOnly, toConnection } from '../connection.ts';
import { orgActor } from '../context.ts';

const ApiTokenScopeEnum = builder.enumType('ApiTokenScope', {
  description: 'What an API token may do (a host login may do everything)',
  values: {
    INTERVIEWS_READ: { value: Scope.INTERVIEWS_READ, description: 'interviews, candidates, monitoring history, reports and their files' },
    INTERVIEWS_WRITE: { value: Scope.INTERVIEWS_WRITE, description: 'create interviews, invite candidates, start / end / archive interviews' },
    LIVE: { value: Scope.LIVE, description: 'watch live events, ping candidates, join the media room as the host' },
    ADMIN: { value: Scope.ADMIN, description: 'org settings: retention, webhooks, listing and revoking API tokens' },
  } as const,
});

export const ApiTokenType = builder.objectRef<ApiToken>('ApiToken').implement({
  description: 'A credential for an ATS integration. The secret is only ever shown by createApiToken.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the token, to recognise it' }),
    scopes: t.field({ type: [ApiTokenScopeEnum], resolve: (apiToken) => apiToken.scopes }),
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
    resolve: async (_root, args, ctx) => toConnection(await ctx.services.apiTokens.list(orgActor(ctx, Scope.ADMIN), forwardOnly(args))),
  }),
);

builder.mutationField('createApiToken', (t) =>
  t.field({
    type: CreateApiTokenPayload,
    description: 'Hosts only: a token for an integration, with the given scopes',
    args: {
      name: t.arg.string({ required: true }),
      scopes: t.arg({
        type: [ApiTokenScopeEnum],
        required: true,
        defaultValue: [...DEFAULT_API_TOKEN_SCOPES],
        description: 'Default: what an ATS integration needs (INTERVIEWS_READ, INTERVIEWS_WRITE)',
      }),
    },
    resolve: (_root, { name, scopes }, ctx) => ctx.services.apiTokens.create(orgActor(ctx), name, scopes),
  }),
);

builder.mutationField('revokeApiToken', (t) =>
  t.field({
    type: ApiTokenType,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.services.apiTokens.revoke(orgActor(ctx, Scope.ADMIN), id),
  }),
);
