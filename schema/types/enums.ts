// The enumerations clients share with the server, as GraphQL enums: their values are the contract's.
import { AUDIO_POLICIES, INTERVIEW_STATUSES, SCREEN_SHARE_POLICIES } from '../../contract/interview.ts';
import { REVIEW_DECISIONS, REVIEW_STATUSES, REVIEW_VERDICTS } from '../../contract/review.ts';
import { SEVERITIES, VIOLATION_TYPES } from '../../contract/violations.ts';
import { builder } from '../builder.ts';

export const InterviewStatusEnum = builder.enumType('InterviewStatus', {
  description: 'SCHEDULED → LIVE → COMPLETED → ARCHIVED',
  values: INTERVIEW_STATUSES,
});

export const AudioPolicyEnum = builder.enumType('AudioPolicy', {
  description: 'IGNORE: audio is not analysed; FLAG: voice activity raises AUDIO_DETECTED',
  values: AUDIO_POLICIES,
});

export const ScreenSharePolicyEnum = builder.enumType('ScreenSharePolicy', {
  description: 'OFF: never asked; OPTIONAL: the candidate may share (and stop); REQUIRED: the entire screen before joining, and stopping it raises SCREEN_SHARE_STOPPED',
  values: SCREEN_SHARE_POLICIES,
});

export const ViolationTypeEnum = builder.enumType('ViolationType', { values: VIOLATION_TYPES });

export const SeverityEnum = builder.enumType('Severity', { values: SEVERITIES });

export const ReviewVerdictEnum = builder.enumType('ReviewVerdict', {
  description: 'A reviewer on one flag: CONFIRMED, or DISMISSED (it no longer counts in the reviewed scores)',
  values: REVIEW_VERDICTS,
});

export const ReviewDecisionEnum = builder.enumType('ReviewDecision', { description: "A reviewer's conclusion on a candidate", values: REVIEW_DECISIONS });

export const ReviewStatusEnum = builder.enumType('ReviewStatus', {
  description: 'PENDING until the first verdict, IN_REVIEW after it, DONE once completeReview ran (an interview: once all its candidates are)',
  values: REVIEW_STATUSES,
});
