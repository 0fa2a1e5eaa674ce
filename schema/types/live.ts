import { Repeater } from 'graphql-yoga';
import type { CandidateJoined, CandidateLeft, InterviewEvent, LiveAlert } from '../../server/live/events.ts';
import { MAX_EVENTS_PER_BATCH, type JoinedSession } from '../../server/live/monitoring.ts';
import { builder } from '../builder.ts';
import { candidateActor, orgActor } from '../context.ts';
import { SeverityEnum, ViolationTypeEnum } from './enums.ts';
import { InterviewConfigType } from './interview-config.ts';

// ---- candidate side ----------------------------------------------------------------------

const ScreenInput = builder.inputType('ScreenInput', {
  fields: (t) => ({
    width: t.int({ required: true }),
    height: t.int({ required: true }),
    pixelRatio: t.float(),
  }),
});

const DeviceInput = builder.inputType('DeviceInput', {
  fields: (t) => ({
    userAgent: t.string({ required: true }),
    screen: t.field({ type: ScreenInput, required: true }),
    cameras: t.int({ required: true, description: 'how many cameras the browser lists' }),
    microphones: t.int({ required: true }),
  }),
});

const EventInput = builder.inputType('EventInput', {
  fields: (t) => ({
    seq: t.int({ required: true, description: 'per session, from 0; a repeated seq is acknowledged again without a second row' }),
    type: t.field({ type: ViolationTypeEnum, required: true }),
    occurredAt: t.field({ type: 'DateTime', required: true, description: 'within ±30 s of the server clock' }),
    durationMs: t.int(),
    confidence: t.float({ description: '0–1' }),
    metadata: t.field({ type: 'JSONObject', description: 'at most 2 KB of JSON' }),
  }),
});

const JoinedSessionType = builder.objectRef<JoinedSession>('JoinedSession').implement({
  description: "The candidate's monitoring session (resumed when the candidate reconnects)",
  fields: (t) => ({
    id: t.id({ resolve: (joined) => joined.session.id }),
    resumed: t.exposeBoolean('resumed'),
    startedAt: t.field({ type: 'DateTime', resolve: (joined) => joined.session.startTime }),
    interviewId: t.id({ resolve: (joined) => joined.candidate.interview.id }),
    interviewTitle: t.string({ resolve: (joined) => joined.candidate.interview.title }),
    rules: t.field({ type: InterviewConfigType, resolve: (joined) => joined.candidate.interview.config }),
  }),
});

const RejectedEventType = builder.objectRef<{ seq: number; code: string; message: string }>('RejectedEvent').implement({
  fields: (t) => ({
    seq: t.exposeInt('seq'),
    code: t.exposeString('code', { description: 'BAD_USER_INPUT, STALE_EVENT, NOT_MONITORED or RATE_LIMITED' }),
    message: t.exposeString('message'),
  }),
});

const ReportEventsPayload = builder.objectRef<{ accepted: number[]; rejected: { seq: number; code: string; message: string }[] }>('ReportEventsPayload').implement({
  description: 'Accepted events are committed: acknowledged means durable',
  fields: (t) => ({
    accepted: t.exposeIntList('accepted'),
    rejected: t.field({ type: [RejectedEventType], resolve: (payload) => payload.rejected }),
  }),
});

builder.mutationField('joinSession', (t) =>
  t.field({
    type: JoinedSessionType,
    description: 'Candidate (join token) only',
    args: { device: t.arg({ type: DeviceInput, required: true }) },
    resolve: (_root, { device }, ctx) => ctx.services.monitoring.joinSession(candidateActor(ctx), device),
  }),
);

builder.mutationField('reportEvents', (t) =>
  t.field({
    type: ReportEventsPayload,
    description: `Candidate (join token) only; up to ${MAX_EVENTS_PER_BATCH} events`,
    args: { sessionId: t.arg.id({ required: true }), events: t.arg({ type: [EventInput], required: true }) },
    resolve: (_root, { sessionId, events }, ctx) => ctx.services.monitoring.reportEvents(candidateActor(ctx), sessionId, events),
  }),
);

// ---- host side ---------------------------------------------------------------------------

const CandidateJoinedType = builder.objectRef<CandidateJoined>('CandidateJoined').implement({
  fields: (t) => ({
    candidateId: t.exposeID('candidateId'),
    sessionId: t.exposeID('sessionId'),
    name: t.exposeString('name'),
    at: t.expose('at', { type: 'DateTime' }),
    resumed: t.exposeBoolean('resumed'),
  }),
});

const CandidateLeftType = builder.objectRef<CandidateLeft>('CandidateLeft').implement({
  fields: (t) => ({
    candidateId: t.exposeID('candidateId'),
    sessionId: t.exposeID('sessionId'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const LiveAlertType = builder.objectRef<LiveAlert>('LiveAlert').implement({
  description: 'A violation as it happens; later events of the same type within 5 s update it (same violationId)',
  fields: (t) => ({
    violationId: t.exposeID('violationId'),
    candidateId: t.exposeID('candidateId'),
    type: t.expose('type', { type: ViolationTypeEnum }),
    severity: t.expose('severity', { type: SeverityEnum }),
    message: t.exposeString('message'),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    count: t.exposeInt('count'),
    durationMs: t.exposeInt('durationMs'),
  }),
});

const KIND_TYPES = { CandidateJoined: CandidateJoinedType, CandidateLeft: CandidateLeftType, LiveAlert: LiveAlertType } as const;

const InterviewEventType = builder.unionType('InterviewEvent', {
  types: [CandidateJoinedType, CandidateLeftType, LiveAlertType],
  resolveType: (event: InterviewEvent) => KIND_TYPES[event.kind],
});

builder.subscriptionField('interviewEvents', (t) =>
  t.field({
    type: InterviewEventType,
    description: "Live events of one interview, for hosts of the interview's org",
    args: { interviewId: t.arg.id({ required: true }) },
    subscribe: async (_root, { interviewId }, ctx) => {
      const interview = await ctx.services.interviews.get(orgActor(ctx), interviewId);
      return new Repeater<InterviewEvent>(async (push, stop) => {
        const unlisten = ctx.services.hub.listen(interview.id, (event) => void push(event));
        await stop;
        unlisten();
      });
    },
    resolve: (event: InterviewEvent) => event,
  }),
);

