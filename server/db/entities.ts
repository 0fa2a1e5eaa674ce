// The data model (interviews, candidates, sessions, events, violations, reports, plus orgs, API tokens and an audit log), declared with defineEntity.
// Enumerations are const objects with a union type of the same name: erasable TypeScript. Those
// that clients see too (interview status, audio policy, violation type, severity) and the interview
// rules come from the shared contract.
import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { Scope } from '../auth/scopes.ts';
import { InterviewStatus, type InterviewRules } from '../../contract/interview.ts';
import { Severity, ViolationType } from '../../contract/violations.ts';
import { ReviewDecision, ReviewStatus, ReviewVerdict } from '../../contract/review.ts';
import { RecordingParticipant, TrackKind } from '../../contract/recording.ts';
import type { Accommodations } from '../../contract/accommodations.ts';

export { AUDIO_POLICIES, AudioPolicy, INTERVIEW_STATUSES, InterviewStatus } from '../../contract/interview.ts';
export { SEVERITIES, Severity, VIOLATION_TYPES, ViolationType } from '../../contract/violations.ts';
export { REVIEW_DECISIONS, REVIEW_STATUSES, REVIEW_VERDICTS, ReviewDecision, ReviewStatus, ReviewVerdict } from '../../contract/review.ts';

function values<T extends Record<string, string>>(object: T): T[keyof T][] {
  return Object.values(object) as T[keyof T][];
}

/** An interview in these has ended: its candidate can no longer join, report or heartbeat. */
export const ENDED_INTERVIEW_STATUSES: readonly InterviewStatus[] = [InterviewStatus.COMPLETED, InterviewStatus.ARCHIVED];

export const ReportStatus = { PENDING: 'PENDING', READY: 'READY', FAILED: 'FAILED' } as const;
export type ReportStatus = (typeof ReportStatus)[keyof typeof ReportStatus];
export const REPORT_STATUSES = values(ReportStatus);

export const WebhookEvent = {
  INTERVIEW_COMPLETED: 'interview.completed',
  REPORT_READY: 'report.ready',
  REVIEW_COMPLETED: 'review.completed',
  RECORDING_READY: 'recording.ready',
  REVIEW_STATEMENT: 'review.statement',
  TRANSCRIPT_READY: 'transcript.ready',
} as const;
export type WebhookEvent = (typeof WebhookEvent)[keyof typeof WebhookEvent];
export const WEBHOOK_EVENTS = values(WebhookEvent);

export const CompositeStatus = { PENDING: 'PENDING', RUNNING: 'RUNNING', READY: 'READY', FAILED: 'FAILED' } as const;
export type CompositeStatus = (typeof CompositeStatus)[keyof typeof CompositeStatus];
export const COMPOSITE_STATUSES = values(CompositeStatus);

export const Speaker = { HOST: 'HOST', CANDIDATE: 'CANDIDATE' } as const;
export type Speaker = (typeof Speaker)[keyof typeof Speaker];
export const SPEAKERS = values(Speaker);

/** A candidate's voice-activity analysis: DONE (possibly with no audio found), or FAILED with the reason kept. */
export const SpeechStatus = { DONE: 'DONE', FAILED: 'FAILED' } as const;
export type SpeechStatus = (typeof SpeechStatus)[keyof typeof SpeechStatus];

/**
 * A candidate's transcription, a job of its own after the speaking segments: PENDING, RUNNING, DONE,
 * FAILED once its retries are spent, or OFF when transcription was off as the audio was analysed.
 */
export const TranscriptionStatus = { PENDING: 'PENDING', RUNNING: 'RUNNING', DONE: 'DONE', FAILED: 'FAILED', OFF: 'OFF' } as const;
export type TranscriptionStatus = (typeof TranscriptionStatus)[keyof typeof TranscriptionStatus];
export const TRANSCRIPTION_STATUSES = values(TranscriptionStatus);

export const DeliveryStatus = { PENDING: 'PENDING', DELIVERED: 'DELIVERED', FAILED: 'FAILED' } as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];
export const DELIVERY_STATUSES = values(DeliveryStatus);

/** What an interview monitors; validated by the interview service. */
export type InterviewConfig = InterviewRules;

const id = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => randomUUID());
/** Millisecond precision, what a JS Date holds: keyset cursors then compare exactly. */
const timestamp = () => p.datetime(3);
const createdAt = () => timestamp().onCreate(() => new Date());
/** Who gave a verdict or a decision: the actor's kind and id, and a label kept as it was then (a host's email, an API token's name). */
const reviewer = () => ({
  reviewedByKind: p.string().length(16).nullable(),
  reviewedById: p.uuid().nullable(),
  reviewedBy: p.string().length(254).nullable(),
  reviewedAt: timestamp().nullable(),
});

export const Org = defineEntity({
  name: 'Org',
  tableName: 'orgs',
  properties: {
    id: id(),
    name: p.string().length(100),
    /** Recordings and evidence snapshots older than this are deleted by the daily retention sweep. */
    retentionDays: p.integer().default(90),
    /** Whether hosts may send a candidate a link to leave one written statement on a completed review (off unless turned on). */
    candidateStatements: p.boolean().default(false),
    createdAt: createdAt(),
  },
});

export const Host = defineEntity({
  name: 'Host',
  tableName: 'hosts',
  properties: {
    id: id(),
    org: () => p.manyToOne(Org).index(),
    email: p.string().length(254).unique(),
    passwordHash: p.string().hidden(),
    /** Signed into every login; bumping it (log out everywhere, new password) voids them all. */
    tokenVersion: p.integer().default(0),
    createdAt: createdAt(),
    lastLoginAt: timestamp().nullable(),
  },
});

/** A signed token voided before its expiry (a logged-out login, a used room link); kept until it expires. */
export const RevokedToken = defineEntity({
  name: 'RevokedToken',
  tableName: 'revoked_tokens',
  properties: {
    /** SHA-256 of the token. */
    tokenDigest: p.string().length(64).primary(),
    expiresAt: timestamp().index(),
  },
});

export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: id(),
    org: () => p.manyToOne(Org).index(),
    createdBy: () => p.manyToOne(Host).nullable(),
    name: p.string().length(100),
    /** SHA-256 of the token; the token itself is shown once and never stored. */
    tokenHash: p.string().length(64).unique().hidden(),
    /** The first characters, so a listed token can be recognised. */
    prefix: p.string().length(16),
    /** What the token may do (server/auth/scopes.ts). */
    scopes: p.json<Scope[]>(),
    createdAt: createdAt(),
    lastUsedAt: timestamp().nullable(),
    revokedAt: timestamp().nullable(),
  },
  indexes: [{ properties: ['org', 'createdAt', 'id'] }],
});

export const Interview = defineEntity({
  name: 'Interview',
  tableName: 'interviews',
  properties: {
    id: id(),
    org: () => p.manyToOne(Org),
    host: () => p.manyToOne(Host).index(),
    title: p.string().length(200),
    status: p.enum(() => InterviewStatus).default(InterviewStatus.SCHEDULED),
    scheduledAt: timestamp().nullable(),
    config: p.json<InterviewConfig>(),
    createdAt: createdAt(),
    startedAt: timestamp().nullable(),
    endedAt: timestamp().nullable(),
    archivedAt: timestamp().nullable(),
    /** Over its candidates: DONE once all are, IN_REVIEW once any review has started. */
    reviewStatus: p.enum(() => ReviewStatus).default(ReviewStatus.PENDING),
    /** t = 0 of the interview's recording clock: when its first track started recording. */
    recordingClockAt: timestamp().nullable(),
  },
  indexes: [{ properties: ['org', 'createdAt', 'id'] }, { properties: ['org', 'status', 'createdAt', 'id'] }],
});

export const Candidate = defineEntity({
  name: 'Candidate',
  tableName: 'candidates',
  properties: {
    id: id(),
    interview: () => p.manyToOne(Interview),
    name: p.string().length(200),
    email: p.string().length(254),
    /** SHA-256 of the join token; the link is shown once. */
    joinTokenHash: p.string().length(64).unique().hidden(),
    tokenNotBefore: timestamp(),
    tokenExpiresAt: timestamp(),
    tokenRevokedAt: timestamp().nullable(),
    resumeUrl: p.string().length(2048).nullable(),
    createdAt: createdAt(),
    reviewStatus: p.enum(() => ReviewStatus).default(ReviewStatus.PENDING),
    reviewDecision: p.enum(() => ReviewDecision).nullable(),
    reviewNote: p.text().nullable(),
    ...reviewer(),
    /** The candidate's one written statement on the completed review (through a statement link), kept verbatim. */
    statementText: p.text().nullable(),
    statementSubmittedAt: timestamp().nullable(),
    /** What does not count against this candidate (contract/accommodations.ts); null: none. */
    accommodations: p.json<Accommodations>().nullable(),
  },
  uniques: [{ properties: ['interview', 'email'] }],
  indexes: [{ properties: ['interview', 'createdAt', 'id'] }],
});

export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: id(),
    candidate: () => p.manyToOne(Candidate).index(),
    interview: () => p.manyToOne(Interview).nullable().index(),
    startTime: timestamp().onCreate(() => new Date()),
    endTime: timestamp().nullable(),
    deviceInfo: p.json<Record<string, unknown>>().nullable(),
    lastHeartbeatAt: timestamp().nullable(),
    telemetry: p.json<Record<string, unknown>>().nullable(),
  },
});

/**
 * One proctoring signal: reported by the candidate's page (unique per session and seq), or
 * detected by the server (HEARTBEAT_LOST, MEDIA_LOST: no seq, the client cannot suppress them).
 */
export const ProctorEvent = defineEntity({
  name: 'ProctorEvent',
  tableName: 'events',
  properties: {
    id: id(),
    session: () => p.manyToOne(Session),
    seq: p.integer().nullable(),
    type: p.enum(() => ViolationType),
    occurredAt: timestamp(),
    receivedAt: timestamp(),
    durationMs: p.integer(),
    confidence: p.double().nullable(),
    metadata: p.json<Record<string, unknown>>().nullable(),
    violation: () => p.manyToOne(Violation).nullable().index(),
  },
  uniques: [{ properties: ['session', 'seq'] }],
});

/** Events of one type for one candidate within the aggregation window, as one alert. */
export const Violation = defineEntity({
  name: 'Violation',
  tableName: 'violations',
  properties: {
    id: id(),
    session: () => p.manyToOne(Session).index(),
    candidate: () => p.manyToOne(Candidate).nullable(),
    interview: () => p.manyToOne(Interview).nullable(),
    type: p.enum(() => ViolationType),
    severity: p.enum(() => Severity),
    timestamp: timestamp(),
    lastOccurredAt: timestamp().nullable(),
    count: p.integer().default(1),
    durationMs: p.integer().default(0),
    snapshotUrl: p.string().length(2048).nullable(),
    metadata: p.json<Record<string, unknown>>().nullable(),
    /** Covered by the candidate's accommodations: kept as evidence, raised no alert, not counted in the scores. */
    accommodated: p.boolean().default(false),
    /** A reviewer's verdict on the flag; a DISMISSED one does not count in the reviewed scores. */
    reviewVerdict: p.enum(() => ReviewVerdict).nullable(),
    reviewNote: p.text().nullable(),
    ...reviewer(),
  },
  indexes: [{ properties: ['interview', 'timestamp'] }, { properties: ['candidate', 'timestamp'] }],
});

/**
 * An evidence picture a candidate page uploaded for a face violation, stored as
 * <dataDir>/snapshots/<interviewId>/<id>.jpg (the retention sweep deletes files and rows together).
 */
export const Snapshot = defineEntity({
  name: 'Snapshot',
  tableName: 'snapshots',
  properties: {
    id: id(),
    violation: () => p.manyToOne(Violation).index().deleteRule('cascade'),
    interview: () => p.manyToOne(Interview).deleteRule('cascade'),
    event: () => p.manyToOne(ProctorEvent).nullable().deleteRule('set null'),
    bytes: p.integer(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['interview', 'createdAt'] }],
});

export const Report = defineEntity({
  name: 'Report',
  tableName: 'reports',
  properties: {
    id: id(),
    interview: () => p.manyToOne(Interview).index(),
    candidate: () => p.manyToOne(Candidate).index(),
    status: p.enum(() => ReportStatus).default(ReportStatus.PENDING),
    scoreComposite: p.integer().nullable(),
    scoreIntegrity: p.integer().nullable(),
    scoreFocus: p.integer().nullable(),
    reportPdfUrl: p.string().length(2048).nullable(),
    aiSummary: p.text().nullable(),
    error: p.text().nullable(),
    generatedAt: timestamp().nullable(),
    /** The deterministic summary sentence (scoring.ts). */
    summary: p.text().nullable(),
    /** Counts by type and the timeline, as the API serves them (see reports/report-input.ts). */
    metrics: p.json<Record<string, unknown>>().nullable(),
    /** SHA-256 of the canonical violation log the report was built from (printed in the PDF footer). */
    violationLogSha256: p.string().length(64).nullable(),
    pdf: p.blob().nullable().lazy(),
    pdfBytes: p.integer().nullable(),
    /** Generation attempts so far (retried with backoff, FAILED after the last). */
    attempts: p.integer().default(0),
    createdAt: createdAt(),
    /** The report_versions row this one is (null until first READY). */
    version: p.integer().nullable(),
  },
  uniques: [{ properties: ['interview', 'candidate'] }],
});

/**
 * Every READY rendering of a report, kept: the first after the interview ends, another each time
 * a review completes. What it was built from (the violation log's digest, the verdicts, the
 * review) and what it said (scores, reviewed scores, their explanations).
 */
export const ReportVersion = defineEntity({
  name: 'ReportVersion',
  tableName: 'report_versions',
  properties: {
    id: id(),
    report: () => p.manyToOne(Report).deleteRule('cascade'),
    version: p.integer(),
    violationLogSha256: p.string().length(64),
    /** Automatic scores, contributions included (scoring.ts). */
    scores: p.json<Record<string, unknown>>(),
    /** Without the dismissed violations; null when the report was built before any review was completed. */
    reviewedScores: p.json<Record<string, unknown>>().nullable(),
    /** [{ violationId, verdict }] of every reviewed violation it was built from. */
    verdicts: p.json<Record<string, unknown>[]>(),
    /** The completed review it was built from: decision, note, reviewer, at. */
    review: p.json<Record<string, unknown>>().nullable(),
    pdfBytes: p.integer(),
    generatedAt: timestamp(),
    /** The transcription it was made with: PENDING while still to finish (the report says so), DONE, FAILED or OFF; null without speech analysis. */
    transcriptStatus: p.enum(() => TranscriptionStatus).nullable(),
  },
  uniques: [{ properties: ['report', 'version'] }],
});

/** An org's subscription of an HTTPS endpoint to events; payloads are signed with `secret`. */
export const Webhook = defineEntity({
  name: 'Webhook',
  tableName: 'webhooks',
  properties: {
    id: id(),
    org: () => p.manyToOne(Org).index(),
    url: p.string().length(2048),
    events: p.json<WebhookEvent[]>(),
    /** HMAC key for X-Proctor-Signature; shown once at creation. */
    secret: p.string().length(64).hidden(),
    createdAt: createdAt(),
  },
});

/** One event sent (or being sent) to one webhook: the delivery log. */
export const WebhookDelivery = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  properties: {
    id: id(),
    webhook: () => p.manyToOne(Webhook).deleteRule('cascade'),
    event: p.string().length(32),
    payload: p.json<Record<string, unknown>>(),
    status: p.enum(() => DeliveryStatus).default(DeliveryStatus.PENDING),
    attempts: p.integer().default(0),
    lastStatusCode: p.integer().nullable(),
    lastError: p.text().nullable(),
    createdAt: createdAt(),
    lastAttemptAt: timestamp().nullable(),
    deliveredAt: timestamp().nullable(),
  },
  indexes: [{ properties: ['webhook', 'createdAt', 'id'] }],
});

export const AuditEntry = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_log',
  properties: {
    id: id(),
    org: () => p.manyToOne(Org).nullable(),
    actorType: p.string().length(16),
    actorId: p.uuid().nullable(),
    action: p.string().length(64),
    targetType: p.string().length(32).nullable(),
    targetId: p.uuid().nullable(),
    requestId: p.string().length(64).nullable(),
    metadata: p.json<Record<string, unknown>>().nullable(),
    at: timestamp().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['org', 'at'] }],
});

/**
 * One recorded track: one producer of one participant (camera video, mic audio or screen video)
 * in its own file; a reconnect or a worker restart starts another track of the same kind. A
 * host's tracks have no candidate: they belong to every candidate's timeline of the interview.
 */
export const Recording = defineEntity({
  name: 'Recording',
  tableName: 'recordings',
  properties: {
    id: id(),
    interview: () => p.manyToOne(Interview),
    candidate: () => p.manyToOne(Candidate).nullable().deleteRule('no action').index(),
    participant: p.enum(() => RecordingParticipant).default(RecordingParticipant.CANDIDATE),
    kind: p.enum(() => TrackKind).default(TrackKind.CAMERA),
    /** Absolute path of the WebM/Matroska file under `<dataDir>/recordings/<interviewId>/`. */
    path: p.string().length(1024),
    /** When the first media reached the recorder: t = 0 of the file, to line up violations. */
    startedAt: timestamp(),
    endedAt: timestamp().nullable(),
    /** The file's size once finalized. */
    bytes: p.bigint('number').nullable(),
  },
  indexes: [{ properties: ['interview', 'startedAt'] }],
});

/** A candidate's composite MP4 (media/composite.ts), made by a job once the interview has ended. */
export const CompositeRecording = defineEntity({
  name: 'CompositeRecording',
  tableName: 'composite_recordings',
  properties: {
    id: id(),
    interview: () => p.manyToOne(Interview).index(),
    candidate: () => p.manyToOne(Candidate).unique(),
    status: p.enum(() => CompositeStatus).default(CompositeStatus.PENDING),
    /** Share of the MP4 written so far while RUNNING, 0–1. */
    progress: p.double().default(0),
    /** Absolute path of the MP4 under `<dataDir>/recordings/<interviewId>/`, once READY. */
    path: p.string().length(1024).nullable(),
    bytes: p.double().nullable(),
    durationMs: p.integer().nullable(),
    /** Job runs so far (retried with backoff, FAILED after the last). */
    attempts: p.integer().default(0),
    error: p.text().nullable(),
    createdAt: createdAt(),
    readyAt: timestamp().nullable(),
  },
});

/** Server-measured stream quality of a candidate, folded over the 2 s samples of the interview. */
export const StreamQualitySummary = defineEntity({
  name: 'StreamQualitySummary',
  tableName: 'stream_quality_summaries',
  properties: {
    id: id(),
    interview: () => p.manyToOne(Interview).index(),
    candidate: () => p.manyToOne(Candidate).unique(),
    /** The candidate's latest monitoring session while sampled. */
    session: () => p.manyToOne(Session).nullable(),
    samples: p.integer(),
    avgBitrateKbps: p.double(),
    avgPacketLossPct: p.double(),
    avgJitterMs: p.double(),
    avgRttMs: p.double(),
    minScore: p.integer(),
    firstAt: timestamp(),
    lastAt: timestamp(),
  },
});

/** The report job's voice-activity analysis of one candidate's interview audio (the speaking segments). */
export const SpeechAnalysis = defineEntity({
  name: 'SpeechAnalysis',
  tableName: 'speech_analyses',
  properties: {
    id: id(),
    interview: () => p.manyToOne(Interview).index(),
    candidate: () => p.manyToOne(Candidate).unique(),
    status: p.enum(() => SpeechStatus),
    /** Why the analysis failed, or that there was no recorded audio. */
    note: p.text().nullable(),
    analysedAt: timestamp(),
  },
});

/** The transcribe-speech job of one candidate, recorded with the speaking segments it transcribes. */
export const Transcription = defineEntity({
  name: 'Transcription',
  tableName: 'transcriptions',
  properties: {
    id: id(),
    interview: () => p.manyToOne(Interview).index(),
    candidate: () => p.manyToOne(Candidate).unique(),
    status: p.enum(() => TranscriptionStatus).default(TranscriptionStatus.PENDING),
    /** The engine that transcribes (`pocketsphinx`, `openai`, `assemblyai`); null when OFF. */
    engine: p.string().length(32).nullable(),
    /** Share of the tracks transcribed so far while RUNNING, 0–1. */
    progress: p.double().default(0),
    /** Job runs so far (retried with backoff, FAILED after the last). */
    attempts: p.integer().default(0),
    error: p.text().nullable(),
    createdAt: createdAt(),
    doneAt: timestamp().nullable(),
  },
});

/** A stretch of one participant's voice on the interview clock (ms since the interview started). */
export const SpeakingSegment = defineEntity({
  name: 'SpeakingSegment',
  tableName: 'speaking_segments',
  properties: {
    id: id(),
    interview: () => p.manyToOne(Interview).index(),
    candidate: () => p.manyToOne(Candidate).index(),
    speaker: p.enum(() => Speaker),
    startMs: p.integer(),
    endMs: p.integer(),
  },
});

/** A transcribed stretch of one participant's speech on the interview clock; confidence in [0, 1]. */
export const TranscriptSegment = defineEntity({
  name: 'TranscriptSegment',
  tableName: 'transcript_segments',
  properties: {
    id: id(),
    interview: () => p.manyToOne(Interview).index(),
    candidate: () => p.manyToOne(Candidate).index(),
    speaker: p.enum(() => Speaker),
    startMs: p.integer(),
    endMs: p.integer(),
    text: p.text(),
    confidence: p.double(),
  },
});

export type Org = InferEntity<typeof Org>;
export type Host = InferEntity<typeof Host>;
export type ApiToken = InferEntity<typeof ApiToken>;
export type RevokedToken = InferEntity<typeof RevokedToken>;
export type Interview = InferEntity<typeof Interview>;
export type Candidate = InferEntity<typeof Candidate>;
export type Session = InferEntity<typeof Session>;
export type Violation = InferEntity<typeof Violation>;
export type ProctorEvent = InferEntity<typeof ProctorEvent>;
export type Snapshot = InferEntity<typeof Snapshot>;
export type Report = InferEntity<typeof Report>;
export type ReportVersion = InferEntity<typeof ReportVersion>;
export type AuditEntry = InferEntity<typeof AuditEntry>;
export type Recording = InferEntity<typeof Recording>;
export type CompositeRecording = InferEntity<typeof CompositeRecording>;
export type StreamQualitySummary = InferEntity<typeof StreamQualitySummary>;
export type SpeechAnalysis = InferEntity<typeof SpeechAnalysis>;
export type Transcription = InferEntity<typeof Transcription>;
export type SpeakingSegment = InferEntity<typeof SpeakingSegment>;
export type TranscriptSegment = InferEntity<typeof TranscriptSegment>;
export type Webhook = InferEntity<typeof Webhook>;
export type WebhookDelivery = InferEntity<typeof WebhookDelivery>;

export const entities = [
  Org,
  Host,
  RevokedToken,
  ApiToken,
  Interview,
  Candidate,
  Session,
  ProctorEvent,
  Violation,
  Snapshot,
  Report,
  ReportVersion,
  AuditEntry,
  Recording,
  CompositeRecording,
  StreamQualitySummary,
  SpeechAnalysis,
  Transcription,
  SpeakingSegment,
  TranscriptSegment,
  Webhook,
  WebhookDelivery,
];
