import type { InterviewRow, Transition } from '../../server/services/interviews.ts';
import { Scope } from '../../server/auth/scopes.ts';
import { builder } from '../builder.ts';
import { forwardOnly, toConnection } from '../connection.ts';
import { orgActor } from '../context.ts';
import { CandidateType } from './candidate.ts';
import { InterviewStatusEnum } from './enums.ts';
import { InterviewConfigInput, InterviewConfigType } from './interview-config.ts';
import { INTERVIEW_LIMITS } from '../../server/services/interviews.ts';

export const InterviewType = builder.objectRef<InterviewRow>('Interview').implement({
  description: 'A proctored interview',
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    status: t.expose('status', { type: InterviewStatusEnum }),
    scheduledAt: t.expose('scheduledAt', { type: 'DateTime', nullable: true }),
    config: t.expose('config', { type: InterviewConfigType }),
    hostId: t.id({ resolve: (interview) => interview.host.id }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true }),
    candidates: t.connection({
      type: CandidateType,
      resolve: async (interview, args, ctx) =>
        toConnection(await ctx.services.candidates.listForInterview(orgActor(ctx, Scope.INTERVIEWS_READ), interview.id, forwardOnly(args))),
    }),
  }),
});

const CreateInterviewInput = builder.inputType('CreateInterviewInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: `1–${INTERVIEW_LIMITS.titleLength} characters` }),
    scheduledAt: t.field({ type: 'DateTime' }),
    config: t.field({ type: InterviewConfigInput }),
  }),
});

const CreateInterviewPayload = builder.objectRef<{ interview: InterviewRow }>('CreateInterviewPayload').implement({
  fields: (t) => ({ interview: t.field({ type: InterviewType, resolve: (payload) => payload.interview }) }),
});

builder.queryField('interviews', (t) =>
  t.connection({
    type: InterviewType,
    description: "The org's interviews, oldest first",
    args: { status: t.arg({ type: InterviewStatusEnum }) },
    resolve: async (_root, args, ctx) => toConnection(await ctx.services.interviews.list(orgActor(ctx, Scope.INTERVIEWS_READ), { status: args.status, ...forwardOnly(args) })),
  }),
);

builder.queryField('interview', (t) =>
  t.field({
    type: InterviewType,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.services.interviews.get(orgActor(ctx, Scope.INTERVIEWS_READ), id),
  }),
);

builder.mutationField('createInterview', (t) =>
  t.field({
    type: CreateInterviewPayload,
    args: { input: t.arg({ type: CreateInterviewInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ interview: await ctx.services.interviews.create(orgActor(ctx, Scope.INTERVIEWS_WRITE), input) }),
  }),
);

const UpdateInterviewInput = builder.inputType('UpdateInterviewInput', {
  description: "Only the fields given change; config fields are merged over the interview's own",
  fields: (t) => ({
    title: t.string({ description: `1–${INTERVIEW_LIMITS.titleLength} characters` }),
    scheduledAt: t.field({ type: 'DateTime' }),
    config: t.field({ type: InterviewConfigInput }),
  }),
});

builder.mutationField('updateInterview', (t) =>
  t.field({
    type: InterviewType,
    description: 'Change a SCHEDULED interview (title, time, rules); CONFLICT (reason INTERVIEW_STARTED) once it has started. Audited.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateInterviewInput, required: true }) },
    resolve: (_root, { id, input }, ctx) => ctx.services.interviews.update(orgActor(ctx, Scope.INTERVIEWS_WRITE), id, input),
  }),
);

const TRANSITION_FIELDS: Record<string, { move: Transition; description: string }> = {
  startInterview: { move: 'start', description: 'SCHEDULED → LIVE' },
  endInterview: { move: 'end', description: 'LIVE → COMPLETED; revokes every join link' },
  archiveInterview: { move: 'archive', description: 'COMPLETED → ARCHIVED' },
};

for (const [name, { move, description }] of Object.entries(TRANSITION_FIELDS)) {
  builder.mutationField(name, (t) =>
    t.field({
      type: InterviewType,
      description,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, ctx) => ctx.services.interviews.transition(orgActor(ctx, Scope.INTERVIEWS_WRITE), id, move),
    }),
  );
}
