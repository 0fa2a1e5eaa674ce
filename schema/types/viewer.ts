import type { Viewer } from '../../server/services/accounts.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';
import { ApiTokenType } from './api-token.ts';
import { HostType } from './host.ts';
import { OrgType } from './org.ts';

const ViewerType = builder.objectRef<Viewer>('Viewer').implement({
  description: 'Who the request is authenticated as: a host, or an API token acting for the org',
  fields: (t) => ({
    org: t.field({ type: OrgType, resolve: (viewer) => viewer.org }),
    host: t.field({ type: HostType, nullable: true, resolve: (viewer) => viewer.host }),
    apiToken: t.field({ type: ApiTokenType, nullable: true, resolve: (viewer) => viewer.apiToken }),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: ViewerType,
    resolve: (_root, _args, ctx) => ctx.services.accounts.viewer(orgActor(ctx)),
  }),
);
