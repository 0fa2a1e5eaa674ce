import type { Host } from '../../server/db/entities.ts';
import { builder } from '../builder.ts';

export const HostType = builder.objectRef<Host>('Host').implement({
  description: 'A person who runs interviews (recruiter, interviewer)',
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastLoginAt: t.expose('lastLoginAt', { type: 'DateTime', nullable: true }),
  }),
});
