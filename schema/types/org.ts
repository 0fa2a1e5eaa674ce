import type { Org } from '../../server/db/entities.ts';
import { Scope } from '../../server/auth/scopes.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';
import { INTERVIEW_LIMITS } from '../../server/services/interviews.ts';

export const OrgType = builder.objectRef<Org>('Org').implement({
  description: 'An organisation: hosts, interviews and API tokens belong to one',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    retentionDays: t.exposeInt('retentionDays', { description: 'Recordings and snapshots older than this are deleted (an interview may keep them for less)' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.mutationField('setOrgRetention', (t) =>
  t.field({
    type: OrgType,
    description: `How many days recordings and evidence snapshots are kept (${INTERVIEW_LIMITS.retentionDays.min}–${INTERVIEW_LIMITS.retentionDays.max}); the daily sweep deletes older ones`,
    args: { retentionDays: t.arg.int({ required: true }) },
    resolve: (_root, { retentionDays }, ctx) => ctx.services.retention.setOrgRetention(orgActor(ctx, Scope.ADMIN), retentionDays),
  }),
);
