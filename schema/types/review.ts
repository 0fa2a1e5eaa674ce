// Human review: verdicts on flags, a decision per candidate, and review statuses.
import type { Candidate } from '../../server/db/entities.ts';
import type { CandidateReview } from '../../server/reports/report-input.ts';
import { statementOf } from '../../server/reports/report-store.ts';
import type { Review, Reviewer } from '../../server/reviews/review-store.ts';
import type { ReviewVerdict } from '../../server/db/entities.ts';
import { REVIEW_NOTE_MAX_LENGTH } from '../../contract/review.ts';
import { builder } from '../builder.ts';
import { reviewerActor } from '../context.ts';
import { CandidateType } from './candidate.ts';
import { ReviewDecisionEnum, ReviewStatusEnum, ReviewVerdictEnum } from './enums.ts';
import { InterviewType } from './interview.ts';
import { ViolationObject } from './monitoring-history.ts';

const ReviewerType = builder.objectRef<Reviewer>('Reviewer').implement({
  description: 'Who reviewed, as it was then',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'host or apiToken' }),
    id: t.exposeID('id', { description: "The host's or API token's id" }),
    name: t.exposeString('name', { description: "A host's email, or an API token's name" }),
  }),
});

const ViolationReviewType = builder.objectRef<Review<ReviewVerdict, 'verdict'>>('ViolationReview').implement({
  fields: (t) => ({
    verdict: t.expose('verdict', { type: ReviewVerdictEnum }),
    note: t.exposeString('note', { nullable: true }),
    reviewer: t.field({ type: ReviewerType, resolve: (review) => review.reviewer }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

export const CandidateReviewType = builder.objectRef<CandidateReview>('CandidateReview').implement({
  fields: (t) => ({
    decision: t.expose('decision', { type: ReviewDecisionEnum }),
    note: t.exposeString('note', { nullable: true }),
    reviewer: t.field({ type: ReviewerType, resolve: (review) => review.reviewer }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

builder.objectField(ViolationObject, 'review', (t) =>
  t.field({ type: ViolationReviewType, nullable: true, description: "A reviewer's verdict (null until one is given)", resolve: (violation) => violation.review }),
);

builder.objectField(InterviewType, 'reviewStatus', (t) =>
  t.field({ type: ReviewStatusEnum, description: 'Over its candidates: DONE once every review is', resolve: (interview) => interview.reviewStatus }),
);

builder.objectField(CandidateType, 'reviewStatus', (t) => t.field({ type: ReviewStatusEnum, resolve: (candidate) => candidate.reviewStatus }));

builder.objectField(CandidateType, 'review', (t) =>
  t.field({
    type: CandidateReviewType,
    nullable: true,
    description: 'The completed review (null until completeReview)',
    resolve: (candidate: Candidate) =>
      candidate.reviewDecision && candidate.reviewedAt
        ? {
            decision: candidate.reviewDecision,
            note: candidate.reviewNote ?? null,
            reviewer: { kind: candidate.reviewedByKind ?? '', id: candidate.reviewedById ?? '', name: candidate.reviewedBy ?? '' },
            at: candidate.reviewedAt,
            statement: statementOf(candidate.statementText ?? null, candidate.statementSubmittedAt ?? null),
          }
        : null,
  }),
);

const NOTE = `Up to ${REVIEW_NOTE_MAX_LENGTH} characters`;

builder.mutationField('reviewViolation', (t) =>
  t.field({
    type: ViolationObject,
    description: 'Confirm or dismiss one flag of an ended interview (again to change it, until the review is complete). Audited.',
    args: {
      id: t.arg.id({ required: true, description: 'The violation' }),
      verdict: t.arg({ type: ReviewVerdictEnum, required: true }),
      note: t.arg.string({ description: NOTE }),
    },
    resolve: (_root, { id, verdict, note }, ctx) => ctx.services.reviews.reviewViolation(reviewerActor(ctx), id, verdict, note),
  }),
);

builder.mutationField('completeReview', (t) =>
  t.field({
    type: CandidateType,
    description:
      "Complete a candidate's review of an ended interview with a decision (once). Audited; sends review.completed; the report gets a new version with the reviewed scores.",
    args: {
      interviewId: t.arg.id({ required: true }),
      candidateId: t.arg.id({ required: true }),
      decision: t.arg({ type: ReviewDecisionEnum, required: true }),
      note: t.arg.string({ description: NOTE }),
    },
    resolve: (_root, { interviewId, candidateId, decision, note }, ctx) => ctx.services.reviews.completeReview(reviewerActor(ctx), interviewId, candidateId, decision, note),
  }),
);
