import { CLOCK_SKEW_MS, MAX_EVENTS_PER_BATCH, MAX_METADATA_BYTES, MAX_METADATA_DEPTH, type ReportResult } from '../../server/live/monitoring.ts';
import type { JoinedSession } from '../../server/live/session-store.ts';
import { builder } from '../builder.ts';
import { candidateActor } from '../context.ts';
import { ViolationTypeEnum } from './enums.ts';
import { JoinInterview } from './candidate-session.ts';
import { InterviewConfigType } from './interview-config.ts';
import { CANDIDATE_HEARTBEAT_INTERVAL_MS } from '../../contract/live-events.ts';
import { accommodatedRules } from '../../contract/accommodations.ts';
import { accommodationsOf } from '../../server/services/candidates.ts';

// The candidate's side of live monitoring (join token only): join, report events, heartbeat.
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
    seq: t.int({ required: true, description: 'per session, from 0; a repeated seq is acknowledged again (as a duplicate) without a second row' }),
    type: t.field({ type: ViolationTypeEnum, required: true }),
    occurredAt: t.field({ type: 'DateTime', required: true, description: `within ±${CLOCK_SKEW_MS / 1000} s of the server clock` }),
    durationMs: t.int(),
    confidence: t.float({ description: '0–1' }),
    metadata: t.field({
      type: 'JSONObject',
      description: `at most ${MAX_METADATA_BYTES / 1024} KB of JSON, nested at most ${MAX_METADATA_DEPTH} levels, without \\u0000 or lone surrogates in keys or strings`,
    }),
  }),
});

const JoinedSessionType = builder.objectRef<JoinedSession>('JoinedSession').implement({
  description: "The candidate's monitoring session (resumed when the candidate reconnects)",
  fields: (t) => ({
    id: t.id({ resolve: (joined) => joined.session.id }),
    resumed: t.exposeBoolean('resumed'),
    startedAt: t.field({ type: 'DateTime', resolve: (joined) => joined.session.startTime }),
    interview: t.field({ type: JoinInterview, resolve: (joined) => joined.candidate.interview }),
    rules: t.field({
      type: InterviewConfigType,
      description: 'As they apply to this candidate (widened by the accommodations)',
      resolve: (joined) => accommodatedRules(joined.candidate.interview.config, accommodationsOf(joined.candidate)),
    }),
  }),
});

const RejectedEventType = builder.objectRef<{ seq: number; code: string; message: string }>('RejectedEvent').implement({
  fields: (t) => ({
    seq: t.exposeInt('seq'),
    code: t.exposeString('code', { description: 'BAD_USER_INPUT, STALE_EVENT, NOT_MONITORED or RATE_LIMITED' }),
    message: t.exposeString('message'),
  }),
});

const ReportEventsPayload = builder.objectRef<ReportResult>('ReportEventsPayload').implement({
  description: 'Accepted events are committed: acknowledged means durable',
  fields: (t) => ({
    accepted: t.exposeIntList('accepted', { description: 'each stored seq of the batch, once' }),
    duplicates: t.exposeIntList('duplicates', {
      description: 'seqs acknowledged without a new row: stored by an earlier batch (also in accepted) or repeated within this one',
    }),
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
    description: `Candidate (join token) only; up to ${MAX_EVENTS_PER_BATCH} events. INTERVIEW_ENDED once the interview is over (nothing is stored)`,
    args: { sessionId: t.arg.id({ required: true }), events: t.arg({ type: [EventInput], required: true }) },
    resolve: (_root, { sessionId, events }, ctx) => ctx.services.monitoring.reportEvents(candidateActor(ctx), sessionId, events),
  }),
);

const TelemetryInput = builder.inputType('TelemetryInput', {
  fields: (t) => ({
    visible: t.boolean({ required: true, description: 'the tab is visible' }),
    focused: t.boolean({ required: true, description: 'the window has focus' }),
    fullscreen: t.boolean({ required: true }),
    faceCount: t.int(),
    fps: t.float({ description: 'face-detection frames per second' }),
    rttMs: t.float(),
  }),
});

const HeartbeatAck = builder.objectRef<{ serverTime: Date }>('HeartbeatAck').implement({
  fields: (t) => ({ serverTime: t.expose('serverTime', { type: 'DateTime', description: 'to correct the page clock' }) }),
});

builder.mutationField('heartbeat', (t) =>
  t.field({
    type: HeartbeatAck,
    description: `Every ${CANDIDATE_HEARTBEAT_INTERVAL_MS / 1000} s from the candidate page; silence longer than the server's heartbeat timeout (PROCTOR_HEARTBEAT_TIMEOUT) in a LIVE interview raises HEARTBEAT_LOST. INTERVIEW_ENDED once the interview is over`,
    args: { sessionId: t.arg.id({ required: true }), telemetry: t.arg({ type: TelemetryInput, required: true }) },
    resolve: async (_root, { sessionId, telemetry }, ctx) => ({
      serverTime: await ctx.services.monitoring.heartbeat(candidateActor(ctx), sessionId, telemetry),
    }),
  }),
);
