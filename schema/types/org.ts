import type { Org } from '../../server/db/entities.ts';
import { builder } from '../builder.ts';

export const OrgType = builder.objectRef<Org>('Org').implement({
  description: 'An organisation: hosts, interviews and API tokens belong to one',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});
