// The interview's persisted history as the dashboard asks for it and gets it back, in plain JSON
// shapes; the live `interviewEvents` union it follows is the shared one in contract/live-events.ts.
import type { InterviewStatus } from '../../contract/interview.ts';
import type { Severity, ViolationType } from '../../contract/violations.ts';

export interface PersistedViolation {
  id: string;
  type: ViolationType;
  severity: Severity;
  count: number;
  durationMs: number;
  occurredAt: string;
  lastOccurredAt: string | null;
  /** Covered by the candidate's accommodations: never an alert, so not replayed as one. */
  accommodated: boolean;
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
    violations(first: 100) { edges { node { id type severity count durationMs occurredAt lastOccurredAt accommodated } } }
  } } } }
} }`;
