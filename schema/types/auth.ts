import type { Authenticated } from '../../server/services/accounts.ts';
import { builder } from '../builder.ts';
import { orgActor, requireCredential } from '../context.ts';
import { HostType } from './host.ts';
import { PASSWORD_LENGTH } from '../../server/validate.ts';

const AuthPayload = builder.objectRef<Authenticated>('AuthPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send as "Authorization: Bearer <token>"' }),
    host: t.field({ type: HostType, resolve: (payload) => payload.host }),
  }),
});

builder.mutationField('signUp', (t) =>
  t.field({
    type: AuthPayload,
    description: 'Creates an organisation and its first host, and logs in (limited per client address: PROCTOR_SIGNUP_ATTEMPTS)',
    args: {
      email: t.arg.string({ required: true }),
      password: t.arg.string({ required: true, description: `${PASSWORD_LENGTH.min}–${PASSWORD_LENGTH.max} characters` }),
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

builder.mutationField('logOut', (t) =>
  t.boolean({
    description: 'Voids the login (or room login) this request is made with, on every server process; its open sockets close',
    resolve: async (_root, _args, ctx) => {
      await ctx.services.accounts.logOut(requireCredential(ctx));
      return true;
    },
  }),
);

builder.mutationField('logOutEverywhere', (t) =>
  t.boolean({
    description: 'Host logins only: voids every login and room login of this host (this one too)',
    resolve: async (_root, _args, ctx) => {
      await ctx.services.accounts.logOutEverywhere(orgActor(ctx));
      return true;
    },
  }),
);

builder.mutationField('changePassword', (t) =>
  t.field({
    type: AuthPayload,
    description: 'Host logins only: sets a new password and voids every other login; returns a fresh login',
    args: {
      currentPassword: t.arg.string({ required: true }),
      newPassword: t.arg.string({ required: true, description: `${PASSWORD_LENGTH.min}–${PASSWORD_LENGTH.max} characters` }),
    },
    resolve: (_root, { currentPassword, newPassword }, ctx) => ctx.services.accounts.changePassword(orgActor(ctx), currentPassword, newPassword),
  }),
);
