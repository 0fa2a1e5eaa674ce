// The candidate page's own fields (join token only): the consent answer, and the interview's
// status as it changes (the page shows its end screen when the host ends the interview).
import type { InterviewStatus } from '../../server/db/entities.ts';
import { builder } from '../builder.ts';
import { candidateActor } from '../context.ts';
import { fromListener } from '../subscriptions.ts';
import { InterviewStatusEnum } from './enums.ts';

const ConsentType = builder.objectRef<{ agreed: boolean; at: Date }>('Consent').implement({
  fields: (t) => ({
    agreed: t.exposeBoolean('agreed'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

builder.mutationField('recordConsent', (t) =>
  t.field({
    type: ConsentType,
    description: 'Candidate (join token) only: the answer on the consent screen, written to the audit log whether agreed or not',
    args: { agreed: t.arg.boolean({ required: true }) },
    resolve: (_root, { agreed }, ctx) => ctx.services.candidates.recordConsent(candidateActor(ctx), agreed),
  }),
);

builder.subscriptionField('interviewStatus', (t) =>
  t.field({
    type: InterviewStatusEnum,
    description: "The candidate's interview status as it changes, for the candidate (join token) only",
    subscribe: (_root, _args, ctx) => {
      const actor = candidateActor(ctx);
      return fromListener<InterviewStatus>((push) => ctx.services.monitoring.listenForStatus(actor, push));
    },
    resolve: (status: InterviewStatus) => status,
  }),
);
