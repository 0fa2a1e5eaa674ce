import type { Candidate, Interview } from '../../server/db/entities.ts';
import type { CandidateView } from '../../server/services/candidates.ts';
import { builder } from '../builder.ts';
import { InterviewStatusEnum } from './enums.ts';
import { InterviewConfigType } from './interview-config.ts';
import { AccommodationsType } from './accommodations.ts';

// The join page's narrow view: no org, host or other candidates.
export const JoinInterview = builder.objectRef<Interview>('JoinInterview').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    status: t.expose('status', { type: InterviewStatusEnum }),
    scheduledAt: t.expose('scheduledAt', { type: 'DateTime', nullable: true }),
  }),
});

const JoinCandidate = builder.objectRef<Candidate>('JoinCandidate').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
  }),
});

const CandidateSessionType = builder.objectRef<CandidateView>('CandidateSession').implement({
  description: 'What a join link may see: the interview, the candidate and what is monitored',
  fields: (t) => ({
    interview: t.field({ type: JoinInterview, resolve: (view) => view.interview }),
    candidate: t.field({ type: JoinCandidate, resolve: (view) => view.candidate }),
    rules: t.field({
      type: InterviewConfigType,
      description: "The interview's rules as they apply to this candidate (widened by the accommodations)",
      resolve: (view) => view.rules,
    }),
    accommodations: t.field({
      type: AccommodationsType,
      description: "The candidate's accommodations, for the consent page; the note is for reviewers and always null here",
      resolve: (view) => ({ ...view.accommodations, note: null }),
    }),
  }),
});

builder.queryField('candidateSession', (t) =>
  t.field({
    type: CandidateSessionType,
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, { token }, ctx) => ctx.services.candidates.viewForToken(token),
  }),
);
