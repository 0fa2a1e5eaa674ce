import type { Candidate } from '../../server/db/entities.ts';
import { Scope } from '../../server/auth/scopes.ts';
import { accommodationsOf } from '../../server/services/candidates.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';
import { AccommodationsInput, AccommodationsType } from './accommodations.ts';

export const CandidateType = builder.objectRef<Candidate>('Candidate').implement({
  description: 'A person invited to an interview',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    email: t.exposeString('email'),
    interviewId: t.id({ resolve: (candidate) => candidate.interview.id }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    linkValidFrom: t.expose('tokenNotBefore', { type: 'DateTime' }),
    linkExpiresAt: t.expose('tokenExpiresAt', { type: 'DateTime' }),
    linkRevokedAt: t.expose('tokenRevokedAt', { type: 'DateTime', nullable: true }),
    accommodations: t.field({ type: AccommodationsType, description: 'Empty when there are none', resolve: (candidate) => accommodationsOf(candidate) }),
  }),
});

const InviteCandidatePayload = builder.objectRef<{ candidate: Candidate; link: string; token: string }>('InviteCandidatePayload').implement({
  fields: (t) => ({
    candidate: t.field({ type: CandidateType, resolve: (payload) => payload.candidate }),
    link: t.exposeString('link', { description: 'The magic link to send the candidate (PROCTOR_PUBLIC_URL/i/<token>)' }),
    token: t.exposeString('token', { description: 'The join token inside the link: shown once, stored only as a hash' }),
  }),
});

builder.mutationField('inviteCandidate', (t) =>
  t.field({
    type: InviteCandidatePayload,
    args: {
      interviewId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      email: t.arg.string({ required: true }),
      accommodations: t.arg({ type: AccommodationsInput }),
    },
    resolve: (_root, { interviewId, name, email, accommodations }, ctx) =>
      ctx.services.candidates.invite(orgActor(ctx, Scope.INTERVIEWS_WRITE), interviewId, { name, email, accommodations }),
  }),
);

builder.mutationField('setAccommodations', (t) =>
  t.field({
    type: CandidateType,
    description: "Replaces a candidate's accommodations; allowed until the interview ends (then the review decides), applied from then on",
    args: {
      candidateId: t.arg.id({ required: true }),
      accommodations: t.arg({ type: AccommodationsInput, required: true }),
    },
    resolve: (_root, { candidateId, accommodations }, ctx) => ctx.services.candidates.setAccommodations(orgActor(ctx, Scope.INTERVIEWS_WRITE), candidateId, accommodations),
  }),
);
