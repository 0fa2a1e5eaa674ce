// Reports: scores, summary, counts, the timeline and a signed PDF link, per candidate.
import { REPORT_STATUSES } from '../../server/db/entities.ts';
import type { TimelineBar, TimelineRow } from '../../server/reports/report-input.ts';
import type { ReportVersionRow, ReportView } from '../../server/reports/reports.ts';
import type { Verdict } from '../../server/reports/report-store.ts';
import type { AccommodatedCount, ScoreContribution } from '../../server/reports/scoring.ts';
import { Scope } from '../../server/auth/scopes.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';
import { ReviewStatusEnum, ReviewVerdictEnum, ViolationTypeEnum } from './enums.ts';
import { CandidateReviewType } from './review.ts';
import { TranscriptStatusEnum } from './transcript.ts';
import { AccommodationsType } from './accommodations.ts';
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

const ScoreDimensionEnum = builder.enumType('ScoreDimension', { values: ['INTEGRITY', 'FOCUS', 'COMPOSITE'] as const });

const ScoreContributionType = builder.objectRef<ScoreContribution>('ScoreContribution').implement({
  description: "What one violation type took from one score; a dimension's points add up to exactly 100 − its score",
  fields: (t) => ({
    dimension: t.expose('dimension', { type: ScoreDimensionEnum }),
    type: t.expose('type', { type: ViolationTypeEnum }),
    count: t.exposeInt('count', { description: 'Events of this type' }),
    seconds: t.exposeFloat('seconds', { description: 'FOCUS: the unfocused time put down to this type (overlaps shared); otherwise the events’ total duration' }),
    points: t.exposeInt('points', { description: 'Whole points taken from the score' }),
    sentence: t.exposeString('sentence', { description: 'e.g. "TAB_SWITCH ×3, 41 s total: −12 integrity"' }),
  }),
});

const AccommodatedCountType = builder.objectRef<AccommodatedCount>('AccommodatedCount').implement({
  description: "Events of one type the candidate's accommodations covered: recorded as evidence, not counted in any score",
  fields: (t) => ({
    type: t.expose('type', { type: ViolationTypeEnum }),
    count: t.exposeInt('count'),
    seconds: t.exposeFloat('seconds', { description: 'Their total duration' }),
    sentence: t.exposeString('sentence', { description: 'e.g. "LOOKING_AWAY ×4 accommodated: not counted"' }),
  }),
});

const VerdictType = builder.objectRef<Verdict>('ReportVerdict').implement({
  description: 'A verdict a report version was built from',
  fields: (t) => ({
    violationId: t.exposeID('violationId'),
    verdict: t.expose('verdict', { type: ReviewVerdictEnum }),
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
    scores: t.field({ type: ReportScoresType, nullable: true, description: 'Automatic: every flag counts', resolve: (report) => report.scores }),
    explanation: t.field({
      type: [ScoreContributionType],
      description: 'How the automatic scores came about, point by point',
      resolve: (report) => report.explanation,
    }),
    reviewedScores: t.field({
      type: ReportScoresType,
      nullable: true,
      description: 'Once the review is completed: the scores without the dismissed flags',
      resolve: (report) => report.reviewedScores,
    }),
    reviewedExplanation: t.field({ type: [ScoreContributionType], nullable: true, resolve: (report) => report.reviewedExplanation }),
    accommodations: t.field({
      type: AccommodationsType,
      nullable: true,
      description: "The candidate's accommodations this report applied (null: none)",
      resolve: (report) => report.accommodations,
    }),
    accommodated: t.field({ type: [AccommodatedCountType], description: 'What they covered, by type: not counted in the scores', resolve: (report) => report.accommodated }),
    review: t.field({ type: CandidateReviewType, nullable: true, description: 'The completed review this version was built from', resolve: (report) => report.review }),
    verdicts: t.field({ type: [VerdictType], description: 'The verdicts this version was built from', resolve: (report) => report.verdicts }),
    reviewStatus: t.field({ type: ReviewStatusEnum, description: "The candidate's review status now", resolve: (report) => report.reviewStatus }),
    version: t.exposeInt('version', { nullable: true, description: 'The latest READY version (see reportVersions); PENDING again while a new one is made' }),
    transcriptStatus: t.field({
      type: TranscriptStatusEnum,
      nullable: true,
      description: 'The transcription the latest version was made with: PENDING means its questions and answers come in a later version (null: no speech analysis)',
      resolve: (report) => report.transcriptStatus,
    }),
    summary: t.exposeString('summary', { nullable: true }),
    aiSummary: t.exposeString('aiSummary', { nullable: true }),
    counts: t.field({ type: [ViolationCountType], description: 'Events by type, most frequent first', resolve: (report) => report.counts }),
    timeline: t.field({ type: [TimelineRowType], resolve: (report) => report.timeline }),
    violationLogSha256: t.exposeString('violationLogSha256', { nullable: true, description: 'SHA-256 of the violation log the report was built from (in the PDF footer)' }),
    pdfBytes: t.exposeInt('pdfBytes', { nullable: true }),
    downloadUrl: t.exposeString('downloadUrl', {
      nullable: true,
      description:
        'Signed link to the PDF of the latest rendered version (while a newer one is PENDING, the previous), valid until downloadUrlExpiresAt; null until a version is rendered',
    }),
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

const ReportVersionType = builder.objectRef<ReportVersionRow>('ReportVersion').implement({
  description: 'One READY rendering of a report, kept: the first when the interview ends, another when the transcript is done and each time a review completes',
  fields: (t) => ({
    version: t.exposeInt('version'),
    violationLogSha256: t.exposeString('violationLogSha256', { description: 'Of the violation log it was built from, verdicts included' }),
    scores: t.field({ type: ReportScoresType, resolve: (version) => version.scores }),
    explanation: t.field({ type: [ScoreContributionType], resolve: (version) => version.scores.contributions ?? [] }),
    reviewedScores: t.field({ type: ReportScoresType, nullable: true, resolve: (version) => version.reviewedScores }),
    reviewedExplanation: t.field({ type: [ScoreContributionType], nullable: true, resolve: (version) => version.reviewedScores?.contributions ?? null }),
    verdicts: t.field({ type: [VerdictType], resolve: (version) => version.verdicts }),
    review: t.field({ type: CandidateReviewType, nullable: true, resolve: (version) => version.review }),
    transcriptStatus: t.field({
      type: TranscriptStatusEnum,
      nullable: true,
      description: 'The transcription it was made with: PENDING (transcript in progress), DONE, FAILED or OFF; null without speech analysis',
      resolve: (version) => version.transcriptStatus,
    }),
    pdfBytes: t.exposeInt('pdfBytes'),
    generatedAt: t.expose('generatedAt', { type: 'DateTime' }),
  }),
});

builder.queryField('reportVersions', (t) =>
  t.field({
    type: [ReportVersionType],
    description: "Every version of a candidate's report, oldest first; `report` is the latest",
    args: { interviewId: t.arg.id({ required: true }), candidateId: t.arg.id() },
    resolve: (_root, { interviewId, candidateId }, ctx) => ctx.services.reports.versions(orgActor(ctx, Scope.INTERVIEWS_READ), interviewId, candidateId),
  }),
);
