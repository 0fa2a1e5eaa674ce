// What hosts watch live: the interviewEvents subscription and the union it carries.
import { Scope } from '../../server/auth/scopes.ts';
import type { CandidateJoined, CandidateLeft, InterviewEvent, InterviewStatusChanged, LiveAlert, ReportReady, StreamQuality } from '../../server/live/events.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';
import { fromListener } from '../subscriptions.ts';
import { InterviewStatusEnum, SeverityEnum, ViolationTypeEnum } from './enums.ts';
import { AGGREGATION_WINDOW_MS } from '../../server/live/monitoring.ts';

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
  description: `A violation as it happens; later events of the same type within ${AGGREGATION_WINDOW_MS / 1000} s update it (same violationId)`,
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

const InterviewStatusChangedType = builder.objectRef<InterviewStatusChanged>('InterviewStatusChanged').implement({
  fields: (t) => ({
    status: t.expose('status', { type: InterviewStatusEnum }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const StreamQualityType = builder.objectRef<StreamQuality>('StreamQuality').implement({
  description: "Server-measured quality of a candidate's media streams (every 2 s while publishing)",
  fields: (t) => ({
    candidateId: t.exposeID('candidateId'),
    bitrateKbps: t.exposeFloat('bitrateKbps'),
    packetLossPct: t.exposeFloat('packetLossPct'),
    jitterMs: t.exposeFloat('jitterMs'),
    rttMs: t.exposeFloat('rttMs'),
    score: t.exposeInt('score', { description: '0–10, as the SFU scores the stream' }),
  }),
});

const ReportReadyType = builder.objectRef<ReportReady>('ReportReady').implement({
  fields: (t) => ({
    candidateId: t.exposeID('candidateId'),
    reportId: t.exposeID('reportId'),
  }),
});

const KIND_TYPES = {
  CandidateJoined: CandidateJoinedType,
  CandidateLeft: CandidateLeftType,
  LiveAlert: LiveAlertType,
  InterviewStatusChanged: InterviewStatusChangedType,
  StreamQuality: StreamQualityType,
  ReportReady: ReportReadyType,
} as const;

const InterviewEventType = builder.unionType('InterviewEvent', {
  types: Object.values(KIND_TYPES),
  resolveType: (event: InterviewEvent) => KIND_TYPES[event.kind],
});

builder.subscriptionField('interviewEvents', (t) =>
  t.field({
    type: InterviewEventType,
    description: "Live events of one interview, for hosts of the interview's org",
    args: { interviewId: t.arg.id({ required: true }) },
    subscribe: async (_root, { interviewId }, ctx) => {
      const interview = await ctx.services.interviews.get(orgActor(ctx, Scope.LIVE), interviewId);
      return fromListener<InterviewEvent>((push) => ctx.services.interviewEvents.listen(interview.id, push));
    },
    resolve: (event: InterviewEvent) => event,
  }),
);
