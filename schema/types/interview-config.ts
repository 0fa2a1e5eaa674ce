import type { InterviewConfig } from '../../server/db/entities.ts';
import { builder } from '../builder.ts';
import { AudioPolicyEnum } from './enums.ts';

export const InterviewConfigType = builder.objectRef<InterviewConfig>('InterviewConfig').implement({
  description: 'What an interview monitors and how strictly',
  fields: (t) => ({
    strictMode: t.exposeBoolean('strictMode', { description: 'Raises every violation one severity level' }),
    requireFullscreen: t.exposeBoolean('requireFullscreen'),
    allowCopyPaste: t.exposeBoolean('allowCopyPaste'),
    audioPolicy: t.expose('audioPolicy', { type: AudioPolicyEnum }),
    lookAwayDegrees: t.exposeInt('lookAwayDegrees', { description: 'Head yaw/pitch beyond which the candidate is looking away' }),
    retentionDays: t.exposeInt('retentionDays', { description: 'Days recordings and snapshots are kept' }),
  }),
});

export const InterviewConfigInput = builder.inputType('InterviewConfigInput', {
  description: 'Omitted fields take their defaults',
  fields: (t) => ({
    strictMode: t.boolean({ description: 'default false' }),
    requireFullscreen: t.boolean({ description: 'default false' }),
    allowCopyPaste: t.boolean({ description: 'default false' }),
    audioPolicy: t.field({ type: AudioPolicyEnum, description: 'default FLAG' }),
    lookAwayDegrees: t.int({ description: '5–90, default 35' }),
    retentionDays: t.int({ description: '1–3650, default 90' }),
  }),
});
