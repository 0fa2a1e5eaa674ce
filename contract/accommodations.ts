// Accommodations (allowances) for one candidate: violation types that do not count against them,
// a wider look-away angle, speaking aloud allowed, and a note saying why. The host sets them; the
// server applies them where it decides severity, the candidate page watches with the widened
// rules, and the consent page and the report name them in the same words (`describeAccommodations`).
import type { InterviewRules } from './interview.ts';
import type { ViolationType } from './violations.ts';

export interface Accommodations {
  /** Still recorded as evidence, but marked accommodated: no alert, not counted in the scores. */
  ignore: ViolationType[];
  /** The head angle beyond which this candidate is looking away (above the interview's); null: the interview's. */
  lookAwayDegrees: number | null;
  /** Voice activity is not monitored for this candidate. */
  allowAudio: boolean;
  /** Why, for the reviewer (shown on the report). */
  note: string | null;
}

export const NO_ACCOMMODATIONS: Accommodations = Object.freeze({ ignore: [], lookAwayDegrees: null, allowAudio: false, note: null });

export const ACCOMMODATION_LIMITS = {
  /** Entries an ignore list may have as sent (repeats included). */
  ignoreEntries: 32,
  lookAwayDegrees: { min: 10, max: 90 },
  noteLength: 1000,
} as const;

/** The GraphQL selection of every accommodation field. */
export const ACCOMMODATIONS_SELECTION = '{ ignore lookAwayDegrees allowAudio note }';

export function hasAccommodations(accommodations: Accommodations): boolean {
  return accommodations.ignore.length > 0 || accommodations.lookAwayDegrees !== null || accommodations.allowAudio || accommodations.note !== null;
}

/** What the candidate's page monitors: the interview's rules, widened by the accommodations. */
export function accommodatedRules(rules: InterviewRules, accommodations: Accommodations): InterviewRules {
  return {
    ...rules,
    lookAwayDegrees: Math.max(rules.lookAwayDegrees, accommodations.lookAwayDegrees ?? 0),
    audioPolicy: accommodations.allowAudio ? 'IGNORE' : rules.audioPolicy,
  };
}

/** Whether events of this type never count against the candidate. */
export function accommodatesType(accommodations: Accommodations, type: ViolationType): boolean {
  return accommodations.ignore.includes(type) || (accommodations.allowAudio && type === 'AUDIO_DETECTED');
}

const IGNORED_WORDS: Record<ViolationType, string> = {
  TAB_SWITCH: 'Switching tabs',
  WINDOW_BLUR: 'Switching to another window',
  FACE_MISSING: 'The face not being visible',
  MULTIPLE_FACES: 'Another person being visible',
  LOOKING_AWAY: 'Looking away from the screen',
  AUDIO_DETECTED: 'Speaking (voice activity)',
  FULLSCREEN_EXIT: 'Leaving fullscreen',
  RESIZE_ATTEMPT: 'Resizing the browser window',
  COPY_PASTE: 'Copying and pasting',
  CONTEXT_MENU: 'Opening the right-click menu',
  DEVTOOLS_OPEN: 'Opening developer tools',
  HEARTBEAT_LOST: 'The page stopping responding',
  MEDIA_LOST: 'The camera or microphone stream dropping',
  SCREEN_SHARE_STOPPED: 'Stopping the screen share',
  MULTIPLE_DISPLAYS: 'Having more than one display',
};

/** The accommodations in plain words, one line each (the note is not among them). */
export function describeAccommodations(accommodations: Accommodations): string[] {
  const lines = accommodations.ignore.map((type) => `${IGNORED_WORDS[type]} is recorded but not counted (${type})`);
  if (accommodations.lookAwayDegrees !== null) lines.push(`Looking away counts only beyond ${accommodations.lookAwayDegrees}° of head turn`);
  if (accommodations.allowAudio) lines.push('Speaking aloud is allowed: the microphone is not checked for voice activity');
  return lines;
}
