// The persisted monitoring record: Candidate.sessions and each session's violations.
import type { Candidate } from '../../server/db/entities.ts';
import type { SessionRecord, ViolationRecord } from '../../server/live/history-store.ts';
import { Scope } from '../../server/auth/scopes.ts';
import { builder } from '../builder.ts';
import { forwardOnly, toConnection } from '../connection.ts';
import { orgActor } from '../context.ts';
import { CandidateType } from './candidate.ts';
import { SeverityEnum, ViolationTypeEnum } from './enums.ts';
import { AGGREGATION_WINDOW_MS } from '../../server/live/monitoring.ts';

export const ViolationObject = builder.objectRef<ViolationRecord>('Violation').implement({
  description: `Events of one type within ${AGGREGATION_WINDOW_MS / 1000} s of each other, as one violation`,
  fields: (t) => ({
    id: t.exposeID('id'),
    type: t.expose('type', { type: ViolationTypeEnum }),
    severity: t.expose('severity', { type: SeverityEnum }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    lastOccurredAt: t.expose('lastOccurredAt', { type: 'DateTime', nullable: true }),
    count: t.exposeInt('count'),
    durationMs: t.exposeInt('durationMs'),
    snapshotUrl: t.exposeString('snapshotUrl', { nullable: true }),
    confidence: t.exposeFloat('confidence', {
      nullable: true,
      description:
        'The highest confidence (0–1) among its events, null when none carried one: a violation stands on its strongest detection, which a mean would dilute with the weaker frames around it (the page debounces events the same way)',
    }),
    accommodated: t.exposeBoolean('accommodated', { description: "Covered by the candidate's accommodations: kept as evidence, raised no alert, not counted in the scores" }),
  }),
});

const MonitoringSessionType = builder.objectRef<SessionRecord>('MonitoringSession').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    lastHeartbeatAt: t.expose('lastHeartbeatAt', { type: 'DateTime', nullable: true }),
    violations: t.connection({
      type: ViolationObject,
      description: 'Oldest first',
      resolve: async (session, args, ctx) => toConnection(await ctx.services.history.violationsOf(orgActor(ctx, Scope.INTERVIEWS_READ), session.id, forwardOnly(args))),
    }),
  }),
});

builder.objectField(CandidateType, 'sessions', (t) =>
  t.field({
    type: [MonitoringSessionType],
    description: 'Monitoring sessions, oldest first (a reconnect resumes the open one)',
    resolve: (candidate: Candidate, _args, ctx) => ctx.services.history.sessionsOf(orgActor(ctx, Scope.INTERVIEWS_READ), candidate.id),
  }),
);
