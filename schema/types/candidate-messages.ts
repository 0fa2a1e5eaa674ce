// Host → candidate messages: pingCandidate, and the candidate's candidateMessages subscription.
import { CANDIDATE_MESSAGE_KINDS } from '../../contract/live-events.ts';
import type { CandidateMessage } from '../../server/live/events.ts';
import { Scope } from '../../server/auth/scopes.ts';
import { builder } from '../builder.ts';
import { candidateActor, orgActor } from '../context.ts';
import { fromListener } from '../subscriptions.ts';
import { MAX_MESSAGE_LENGTH } from '../../server/live/messaging.ts';

const MessageKindEnum = builder.enumType('CandidateMessageKind', { values: CANDIDATE_MESSAGE_KINDS });

const CandidateMessageType = builder.objectRef<CandidateMessage>('CandidateMessage').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.expose('kind', { type: MessageKindEnum }),
    message: t.exposeString('message'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const PingPayload = builder.objectRef<{ message: CandidateMessage; delivered: boolean }>('PingCandidatePayload').implement({
  fields: (t) => ({
    message: t.field({ type: CandidateMessageType, resolve: (payload) => payload.message }),
    delivered: t.exposeBoolean('delivered', { description: "whether the candidate's page was listening" }),
  }),
});

builder.mutationField('pingCandidate', (t) =>
  t.field({
    type: PingPayload,
    description: 'Shows the candidate a message (a toast on their page); written to the audit log',
    args: {
      candidateId: t.arg.id({ required: true }),
      message: t.arg.string({ required: true, description: `1–${MAX_MESSAGE_LENGTH} characters` }),
      kind: t.arg({ type: MessageKindEnum, defaultValue: 'PING' }),
    },
    resolve: (_root, { candidateId, message, kind }, ctx) => ctx.services.messaging.send(orgActor(ctx, Scope.LIVE), candidateId, kind ?? 'PING', message),
  }),
);

builder.subscriptionField('candidateMessages', (t) =>
  t.field({
    type: CandidateMessageType,
    description: 'Pings and warnings from the host, for the candidate (join token) only',
    subscribe: (_root, _args, ctx) => {
      const actor = candidateActor(ctx);
      return fromListener<CandidateMessage>((push) => ctx.services.messaging.listen(actor, push));
    },
    resolve: (message: CandidateMessage) => message,
  }),
);
