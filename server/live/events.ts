// What hosts see live about an interview. Plain data: the GraphQL layer maps it to its union.
import type { InterviewStatus, Severity, ViolationType } from '../db/entities.ts';

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
  kind: 'PING' | 'WARNING';
  message: string;
  at: Date;
}

const MESSAGES: Record<ViolationType, string> = {
  TAB_SWITCH: 'Candidate switched to another tab',
  WINDOW_BLUR: 'Candidate switched to another window',
  FACE_MISSING: 'No face visible',
  MULTIPLE_FACES: 'More than one face visible',
  LOOKING_AWAY: 'Candidate is looking away from the screen',
  AUDIO_DETECTED: 'Voice activity detected',
  FULLSCREEN_EXIT: 'Candidate left fullscreen',
  RESIZE_ATTEMPT: 'Browser window resized',
  COPY_PASTE: 'Copy or paste attempted',
  CONTEXT_MENU: 'Context menu opened',
  DEVTOOLS_OPEN: 'Developer tools opened',
  HEARTBEAT_LOST: 'Candidate page stopped responding',
  MEDIA_LOST: 'Camera or microphone stream lost',
};

export function alertMessage(type: ViolationType, count: number): string {
  return count > 1 ? `${MESSAGES[type]} (${count} times)` : MESSAGES[type];
}
