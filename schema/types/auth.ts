import type { Authenticated } from '../../server/services/accounts.ts';
import { builder } from '../builder.ts';
import { HostType } from './host.ts';

const AuthPayload = builder.objectRef<Authenticated>('AuthPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send as "Authorization: Bearer <token>"' }),
    host: t.field({ type: HostType, resolve: (payload) => payload.host }),
  }),
});

builder.mutationField('signUp', (t) =>
  t.field({
    type: AuthPayload,
    description: 'Creates an organisation and its first host, and logs in',
    args: {
      email: t.arg.string({ required: true }),
      password: t.arg.string({ required: true, description: 'at least 8 characters' }),
      orgName: t.arg.string({ required: true }),
    },
    resolve: (_root, args, ctx) => ctx.services.accounts.signUp(args),
  }),
);

builder.mutationField('logIn', (t) =>
  t.field({
    type: AuthPayload,
    args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.accounts.logIn(args),
  }),
);
