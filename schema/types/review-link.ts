// Review links: `proctor review <interview>` asks for one; the review page exchanges it.
import type { ReviewEntry, ReviewLink } from '../../server/reviews/review-links.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';

const ReviewLinkType = builder.objectRef<ReviewLink>('ReviewLink').implement({
  fields: (t) => ({
    url: t.exposeString('url', { description: "Open in a browser: logs this host into the interview's review page" }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'Open it before this (PROCTOR_ROOM_LINK_TTL)' }),
    candidateId: t.exposeID('candidateId', { description: 'The candidate the page opens on' }),
  }),
});

const ReviewEntryType = builder.objectRef<ReviewEntry>('ReviewEntry').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'A review login: read this interview, give verdicts, complete reviews; until expiresAt' }),
    interviewId: t.exposeID('interviewId'),
    candidateId: t.exposeID('candidateId'),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'At the latest (PROCTOR_ROOM_SESSION_TTL)' }),
  }),
});

builder.mutationField('createReviewLink', (t) =>
  t.field({
    type: ReviewLinkType,
    description: "Hosts only: a short-lived link to an ended interview's review page for one candidate (the only one when candidateId is omitted)",
    args: { interviewId: t.arg.id({ required: true }), candidateId: t.arg.id() },
    resolve: (_root, { interviewId, candidateId }, ctx) => ctx.services.reviewLinks.createLink(orgActor(ctx), interviewId, candidateId),
  }),
);

builder.mutationField('enterReview', (t) =>
  t.field({
    type: ReviewEntryType,
    description: "Exchanges a review link's token, once, for a review login",
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, { token }, ctx) => ctx.services.reviewLinks.enter(token),
  }),
);
