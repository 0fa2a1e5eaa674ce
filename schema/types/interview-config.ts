import type { InterviewConfig } from '../../server/db/entities.ts';
import { builder } from '../builder.ts';
import { AudioPolicyEnum, ScreenSharePolicyEnum } from './enums.ts';
import { DEFAULT_INTERVIEW_CONFIG, INTERVIEW_LIMITS } from '../../server/services/interviews.ts';

export const InterviewConfigType = builder.objectRef<InterviewConfig>('InterviewConfig').implement({
  description: 'What an interview monitors and how strictly',
  fields: (t) => ({
    strictMode: t.exposeBoolean('strictMode', { description: 'Raises every violation one severity level' }),
    requireFullscreen: t.exposeBoolean('requireFullscreen'),
    allowCopyPaste: t.exposeBoolean('allowCopyPaste'),
    audioPolicy: t.expose('audioPolicy', { type: AudioPolicyEnum }),
    lookAwayDegrees: t.exposeInt('lookAwayDegrees', { description: 'Head yaw/pitch beyond which the candidate is looking away' }),
    retentionDays: t.exposeInt('retentionDays', { description: 'Days recordings and snapshots are kept' }),
    // Interviews created before the setting existed have none stored: they never asked for a screen.
    screenShare: t.field({ type: ScreenSharePolicyEnum, resolve: (config) => config.screenShare ?? 'OFF' }),
  }),
});

export const InterviewConfigInput = builder.inputType('InterviewConfigInput', {
  description: 'Omitted fields take their defaults',
  fields: (t) => ({
    strictMode: t.boolean({ description: `default ${DEFAULT_INTERVIEW_CONFIG.strictMode}` }),
    requireFullscreen: t.boolean({ description: `default ${DEFAULT_INTERVIEW_CONFIG.requireFullscreen}` }),
    allowCopyPaste: t.boolean({ description: `default ${DEFAULT_INTERVIEW_CONFIG.allowCopyPaste}` }),
    audioPolicy: t.field({ type: AudioPolicyEnum, description: `default ${DEFAULT_INTERVIEW_CONFIG.audioPolicy}` }),
    lookAwayDegrees: t.int({
      description: `${INTERVIEW_LIMITS.lookAwayDegrees.min}–${INTERVIEW_LIMITS.lookAwayDegrees.max}, default ${DEFAULT_INTERVIEW_CONFIG.lookAwayDegrees}`,
    }),
    retentionDays: t.int({ description: `${INTERVIEW_LIMITS.retentionDays.min}–${INTERVIEW_LIMITS.retentionDays.max}, default ${DEFAULT_INTERVIEW_CONFIG.retentionDays}` }),
    screenShare: t.field({ type: ScreenSharePolicyEnum, description: `default ${DEFAULT_INTERVIEW_CONFIG.screenShare}` }),
  }),
});
