// Reports: scores, summary, counts, the timeline and a signed PDF link, per candidate.
import { REPORT_STATUSES } from '../../server/db/entities.ts';
import type { TimelineBar, TimelineRow } from '../../server/reports/report-input.ts';
import type { ReportView } from '../../server/reports/reports.ts';
import { Scope } from '../../server/auth/scopes.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';
import { ViolationTypeEnum } from './enums.ts';
import { SCORE_WEIGHTS } from '../../server/reports/scoring.ts';

export const ReportStatusEnum = builder.enumType('ReportStatus', {
  description: 'PENDING while the report job runs (or waits to retry), READY with a PDF, FAILED once retries are spent (see error)',
  values: REPORT_STATUSES,
});

const ReportScoresType = builder.objectRef<NonNullable<ReportView['scores']>>('ReportScores').implement({
  description: 'Scores 0–100; the formula is in the README (Scoring)',
  fields: (t) => ({
    focus: t.exposeInt('focus', { description: 'Share of the interview with a face present, looking at the screen and the tab visible' }),
    integrity: t.exposeInt('integrity', { description: 'From violation density weighted by severity and duration' }),
    composite: t.exposeInt('composite', { description: `${SCORE_WEIGHTS.integrity} × integrity + ${SCORE_WEIGHTS.focus} × focus` }),
  }),
});

const ViolationCountType = builder.objectRef<ReportView['counts'][number]>('ViolationCount').implement({
  fields: (t) => ({
    type: t.expose('type', { type: ViolationTypeEnum }),
    count: t.exposeInt('count', { description: 'Events of this type (a violation aggregates several)' }),
  }),
});

const TimelineBarType = builder.objectRef<TimelineBar>('TimelineBar').implement({
  fields: (t) => ({
    startMs: t.exposeInt('startMs', { description: 'Offset from the interview start' }),
    durationMs: t.exposeInt('durationMs'),
  }),
});

const TimelineRowType = builder.objectRef<TimelineRow>('TimelineRow').implement({
  description: 'One row of the report timeline (Gantt chart); bars closer than 1 s are merged',
  fields: (t) => ({
    category: t.exposeString('category', { description: 'FACE_MISSING, MULTIPLE_FACES, LOOKING_AWAY, TAB_SWITCH, AUDIO or MEDIA_LOST' }),
    label: t.exposeString('label'),
    totalMs: t.exposeInt('totalMs'),
    bars: t.field({ type: [TimelineBarType], resolve: (row) => row.bars }),
  }),
});

export const ReportType = builder.objectRef<ReportView>('Report').implement({
  description: "A candidate's interview report",
  fields: (t) => ({
    id: t.exposeID('id'),
    interviewId: t.exposeID('interviewId'),
    candidateId: t.exposeID('candidateId'),
    candidateName: t.exposeString('candidateName'),
    status: t.expose('status', { type: ReportStatusEnum }),
    attempts: t.exposeInt('attempts', { description: 'Generation runs so far' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the last run failed (kept while retrying and once FAILED)' }),
    scores: t.field({ type: ReportScoresType, nullable: true, resolve: (report) => report.scores }),
    summary: t.exposeString('summary', { nullable: true }),
    aiSummary: t.exposeString('aiSummary', { nullable: true }),
    counts: t.field({ type: [ViolationCountType], description: 'Events by type, most frequent first', resolve: (report) => report.counts }),
    timeline: t.field({ type: [TimelineRowType], resolve: (report) => report.timeline }),
    violationLogSha256: t.exposeString('violationLogSha256', { nullable: true, description: 'SHA-256 of the violation log the report was built from (in the PDF footer)' }),
    pdfBytes: t.exposeInt('pdfBytes', { nullable: true }),
    downloadUrl: t.exposeString('downloadUrl', { nullable: true, description: 'Signed link to the PDF, valid until downloadUrlExpiresAt (READY only)' }),
    downloadUrlExpiresAt: t.expose('downloadUrlExpiresAt', { type: 'DateTime', nullable: true }),
    generatedAt: t.expose('generatedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('report', (t) =>
  t.field({
    type: ReportType,
    description: "An ended interview's report; name the candidate when the interview has several",
    args: { interviewId: t.arg.id({ required: true }), candidateId: t.arg.id() },
    resolve: (_root, { interviewId, candidateId }, ctx) => ctx.services.reports.forInterview(orgActor(ctx, Scope.INTERVIEWS_READ), interviewId, candidateId),
  }),
);

builder.queryField('reports', (t) =>
  t.field({
    type: [ReportType],
    description: 'Every report of an interview (one per candidate), empty until it ends',
    args: { interviewId: t.arg.id({ required: true }) },
    resolve: (_root, { interviewId }, ctx) => ctx.services.reports.listForInterview(orgActor(ctx, Scope.INTERVIEWS_READ), interviewId),
  }),
);
