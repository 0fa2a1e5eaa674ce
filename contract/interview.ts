// What an interview is and what it monitors, as the API, the candidate page and the CLI spell it.
// Pure data shapes: the server, the GraphQL schema, client/ and cli/ all import this one module.

export const InterviewStatus = { SCHEDULED: 'SCHEDULED', LIVE: 'LIVE', COMPLETED: 'COMPLETED', ARCHIVED: 'ARCHIVED' } as const;
export type InterviewStatus = (typeof InterviewStatus)[keyof typeof InterviewStatus];
export const INTERVIEW_STATUSES = Object.values(InterviewStatus);

export const AudioPolicy = { IGNORE: 'IGNORE', FLAG: 'FLAG' } as const;
export type AudioPolicy = (typeof AudioPolicy)[keyof typeof AudioPolicy];
export const AUDIO_POLICIES = Object.values(AudioPolicy);

/**
 * Whether the candidate shares their screen: OFF (never asked), OPTIONAL (asked, may decline or
 * stop), REQUIRED (the entire screen before joining; stopping it raises SCREEN_SHARE_STOPPED).
 */
export const ScreenSharePolicy = { OFF: 'OFF', OPTIONAL: 'OPTIONAL', REQUIRED: 'REQUIRED' } as const;
export type ScreenSharePolicy = (typeof ScreenSharePolicy)[keyof typeof ScreenSharePolicy];
export const SCREEN_SHARE_POLICIES = Object.values(ScreenSharePolicy);

/** What an interview monitors: the GraphQL InterviewConfig, and the candidate session's `rules`. */
export interface InterviewRules {
  strictMode: boolean;
  requireFullscreen: boolean;
  allowCopyPaste: boolean;
  audioPolicy: AudioPolicy;
  lookAwayDegrees: number;
  retentionDays: number;
  screenShare: ScreenSharePolicy;
}

// A record over every key, so a rule added to InterviewRules cannot be left out of the selection.
const RULE_FIELDS: Record<keyof InterviewRules, true> = {
  strictMode: true,
  requireFullscreen: true,
  allowCopyPaste: true,
  audioPolicy: true,
  lookAwayDegrees: true,
  retentionDays: true,
  screenShare: true,
};

/** The GraphQL selection of every rule, for `config { … }` and `rules { … }`. */
export const INTERVIEW_RULES_SELECTION = `{ ${Object.keys(RULE_FIELDS).join(' ')} }`;
