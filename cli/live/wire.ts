// What the dashboard asks the server for and gets back: the interview's persisted history and the
// live `interviewEvents` union, as plain JSON shapes (the CLI never imports server code for these).
import type { InterviewStatus } from '../../schema/public-types.ts';

export type { InterviewStatus };
export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

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

export interface LiveAlert {
  __typename: 'LiveAlert';
  violationId: string;
  candidateId: string;
  type: string;
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

export const INTERVIEW_EVENTS_SUBSCRIPTION = `subscription($interviewId: ID!) { interviewEvents(interviewId: $interviewId) {
  __typename
  ... on CandidateJoined { candidateId sessionId name resumed at }
  ... on CandidateLeft { candidateId sessionId at }
  ... on LiveAlert { violationId candidateId type severity message occurredAt count durationMs }
  ... on InterviewStatusChanged { status at }
  ... on StreamQuality { candidateId bitrateKbps packetLossPct jitterMs rttMs score }
  ... on ReportReady { candidateId reportId }
} }`;

export interface PersistedViolation {
  id: string;
  type: string;
  severity: Severity;
  count: number;
  durationMs: number;
  occurredAt: string;
  lastOccurredAt: string | null;
}

export interface PersistedSession {
  id: string;
  startedAt: string;
  endedAt: string | null;
  lastHeartbeatAt: string | null;
  violations: { edges: { node: PersistedViolation }[] };
}

export interface PersistedCandidate {
  id: string;
  name: string;
  sessions: PersistedSession[];
}

export interface InterviewHistory {
  id: string;
  title: string;
  status: InterviewStatus;
  scheduledAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  candidates: { edges: { node: PersistedCandidate }[] };
}

/**
 * Everything persisted about an interview. Each session brings its first 100 violations (the API
 * pages forward only, and a violation already aggregates 5 s of events of one type); everything
 * after the dashboard opened arrives live.
 */
export const INTERVIEW_HISTORY_QUERY = `query($id: ID!) { interview(id: $id) {
  id title status scheduledAt startedAt endedAt
  candidates(first: 100) { edges { node { id name sessions {
    id startedAt endedAt lastHeartbeatAt
    violations(first: 100) { edges { node { id type severity count durationMs occurredAt lastOccurredAt } } }
  } } } }
} }`;
