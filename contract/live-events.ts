// What hosts receive live about an interview (the `interviewEvents` union) and what a candidate
// receives from a host, as JSON off the socket: timestamps are ISO strings. The server's own
// Date-carrying events (server/live/events.ts) are mapped to these by the GraphQL schema.
import type { InterviewStatus } from './interview.ts';
import type { Severity, ViolationType } from './violations.ts';

export interface CandidateJoined {
  __typename: 'CandidateJoined';
  candidateId: string;
  sessionId: string;
  name: string;
  resumed: boolean;
  at: string;
}

export interface CandidateLeft {
  __typename: 'CandidateLeft';
  candidateId: string;
  sessionId: string;
  at: string;
}

/** The first event of a violation, then updates (same violationId, higher count) as more arrive. */
export interface LiveAlert {
  __typename: 'LiveAlert';
  violationId: string;
  candidateId: string;
  type: ViolationType;
  severity: Severity;
  message: string;
  occurredAt: string;
  count: number;
  durationMs: number;
}

export interface InterviewStatusChanged {
  __typename: 'InterviewStatusChanged';
  status: InterviewStatus;
  at: string;
}

/** Server-measured media quality of a candidate's streams. */
export interface StreamQuality {
  __typename: 'StreamQuality';
  candidateId: string;
  bitrateKbps: number;
  packetLossPct: number;
  jitterMs: number;
  rttMs: number;
  score: number;
}

export interface ReportReady {
  __typename: 'ReportReady';
  candidateId: string;
  reportId: string;
}

export type InterviewEvent = CandidateJoined | CandidateLeft | LiveAlert | InterviewStatusChanged | StreamQuality | ReportReady;

/** Every field of every event in the union. */
export const INTERVIEW_EVENTS_SUBSCRIPTION = `subscription($interviewId: ID!) { interviewEvents(interviewId: $interviewId) {
  __typename
  ... on CandidateJoined { candidateId sessionId name resumed at }
  ... on CandidateLeft { candidateId sessionId at }
  ... on LiveAlert { violationId candidateId type severity message occurredAt count durationMs }
  ... on InterviewStatusChanged { status at }
  ... on StreamQuality { candidateId bitrateKbps packetLossPct jitterMs rttMs score }
  ... on ReportReady { candidateId reportId }
} }`;

/** A host's ping or warning, shown to the candidate. */
export const CANDIDATE_MESSAGE_KINDS = ['PING', 'WARNING'] as const;
export type CandidateMessageKind = (typeof CANDIDATE_MESSAGE_KINDS)[number];

/** How often the candidate page sends its heartbeat, in ms. */
export const CANDIDATE_HEARTBEAT_INTERVAL_MS = 2000;
