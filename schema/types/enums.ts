// The enumerations clients share with the server, as GraphQL enums: their values are the contract's.
import { AUDIO_POLICIES, INTERVIEW_STATUSES } from '../../contract/interview.ts';
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

export const ViolationTypeEnum = builder.enumType('ViolationType', { values: VIOLATION_TYPES });

export const SeverityEnum = builder.enumType('Severity', { values: SEVERITIES });
