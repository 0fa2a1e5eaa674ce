// What hosts see live about an interview. Plain data: the GraphQL layer maps it to its union,
// whose JSON shapes clients read are in contract/live-events.ts.
import type { InterviewStatus } from '../../contract/interview.ts';
import type { CandidateMessageKind } from '../../contract/live-events.ts';
import type { Severity, ViolationType } from '../../contract/violations.ts';

export interface CandidateJoined {
  kind: 'CandidateJoined';
  interviewId: string;
  candidateId: string;
  sessionId: string;
  name: string;
  at: Date;
  resumed: boolean;
}

export interface CandidateLeft {
  kind: 'CandidateLeft';
  interviewId: string;
  candidateId: string;
  sessionId: string;
  at: Date;
}

/** The first event of a violation, then updates as more of the same type arrive in its window. */
export interface LiveAlert {
  kind: 'LiveAlert';
  interviewId: string;
  violationId: string;
  candidateId: string;
  type: ViolationType;
  severity: Severity;
  message: string;
  occurredAt: Date;
  count: number;
  durationMs: number;
}

export interface InterviewStatusChanged {
  kind: 'InterviewStatusChanged';
  interviewId: string;
  status: InterviewStatus;
  at: Date;
}

/** Server-measured media quality of a candidate's streams (published by the SFU). */
export interface StreamQuality {
  kind: 'StreamQuality';
  interviewId: string;
  candidateId: string;
  bitrateKbps: number;
  packetLossPct: number;
  jitterMs: number;
  rttMs: number;
  score: number;
}

/** A candidate's report is ready (published by the report job). */
export interface ReportReady {
  kind: 'ReportReady';
  interviewId: string;
  candidateId: string;
  reportId: string;
}

export type InterviewEvent = CandidateJoined | CandidateLeft | LiveAlert | InterviewStatusChanged | StreamQuality | ReportReady;

/** A host's ping or warning to a candidate. */
export interface CandidateMessage {
  id: string;
  candidateId: string;
  kind: CandidateMessageKind;
  message: string;
  at: Date;
}
