// What the candidate page reports and hosts are alerted to: the violation types, their
// severities, and the alert line a host reads for one (live from the server, or replayed by the
// CLI from a stored violation, in the same words).

export const ViolationType = {
  TAB_SWITCH: 'TAB_SWITCH',
  WINDOW_BLUR: 'WINDOW_BLUR',
  FACE_MISSING: 'FACE_MISSING',
  MULTIPLE_FACES: 'MULTIPLE_FACES',
  LOOKING_AWAY: 'LOOKING_AWAY',
  AUDIO_DETECTED: 'AUDIO_DETECTED',
  FULLSCREEN_EXIT: 'FULLSCREEN_EXIT',
  RESIZE_ATTEMPT: 'RESIZE_ATTEMPT',
  COPY_PASTE: 'COPY_PASTE',
  CONTEXT_MENU: 'CONTEXT_MENU',
  DEVTOOLS_OPEN: 'DEVTOOLS_OPEN',
  HEARTBEAT_LOST: 'HEARTBEAT_LOST',
  MEDIA_LOST: 'MEDIA_LOST',
  SCREEN_SHARE_STOPPED: 'SCREEN_SHARE_STOPPED',
  MULTIPLE_DISPLAYS: 'MULTIPLE_DISPLAYS',
} as const;
export type ViolationType = (typeof ViolationType)[keyof typeof ViolationType];
export const VIOLATION_TYPES = Object.values(ViolationType);

/** Raised only by the server (its watchdogs and the SFU's stream watch): a page may not report them. */
export const SERVER_DETECTED_TYPES: readonly ViolationType[] = ['HEARTBEAT_LOST', 'MEDIA_LOST', 'SCREEN_SHARE_STOPPED'];

/** Lowest first: a stricter interview raises a violation up this list. */
export const Severity = { LOW: 'LOW', MEDIUM: 'MEDIUM', HIGH: 'HIGH', CRITICAL: 'CRITICAL' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];
export const SEVERITIES = Object.values(Severity);

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
  SCREEN_SHARE_STOPPED: 'Candidate stopped sharing their screen',
  MULTIPLE_DISPLAYS: 'More than one display connected',
};

export function alertMessage(type: ViolationType, count: number): string {
  return count > 1 ? `${MESSAGES[type]} (${count} times)` : MESSAGES[type];
}
