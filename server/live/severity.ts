// Severity is the server's decision, never the client's: from the violation type, how
// long it lasted and the interview's config. Strict mode raises every level by one.
import { SEVERITIES, type InterviewConfig, type Severity, type ViolationType } from '../db/entities.ts';
import { accommodatesType, type Accommodations } from '../../contract/accommodations.ts';

const BASE_SEVERITY: Record<ViolationType, Severity> = {
  FACE_MISSING: 'CRITICAL',
  MULTIPLE_FACES: 'CRITICAL',
  TAB_SWITCH: 'HIGH',
  WINDOW_BLUR: 'HIGH',
  FULLSCREEN_EXIT: 'HIGH',
  DEVTOOLS_OPEN: 'HIGH',
  HEARTBEAT_LOST: 'HIGH',
  MEDIA_LOST: 'HIGH',
  SCREEN_SHARE_STOPPED: 'HIGH',
  MULTIPLE_DISPLAYS: 'MEDIUM',
  RESIZE_ATTEMPT: 'MEDIUM',
  COPY_PASTE: 'MEDIUM',
  AUDIO_DETECTED: 'MEDIUM',
  LOOKING_AWAY: 'LOW',
  CONTEXT_MENU: 'LOW',
};

/** Looking away this long (in one stretch or aggregated) is no longer a glance. */
export const SUSTAINED_LOOK_AWAY_MS = 5_000;

export function severityOf(type: ViolationType, durationMs: number, config: InterviewConfig): Severity {
  let level = SEVERITIES.indexOf(BASE_SEVERITY[type]);
  if (type === 'LOOKING_AWAY' && durationMs >= SUSTAINED_LOOK_AWAY_MS) level++;
  if (config.strictMode) level++;
  return SEVERITIES[Math.min(level, SEVERITIES.length - 1)]!;
}

/**
 * Types the interview's config says not to monitor: reporting them is refused rather than
 * silently stored, so a misconfigured client is visible.
 */
export function ignoredByConfig(type: ViolationType, config: InterviewConfig): string | undefined {
  if (type === 'AUDIO_DETECTED' && config.audioPolicy === 'IGNORE') return 'audio is not monitored in this interview';
  if (type === 'COPY_PASTE' && config.allowCopyPaste) return 'copy and paste are allowed in this interview';
  if (type === 'FULLSCREEN_EXIT' && !config.requireFullscreen) return 'fullscreen is not required in this interview';
  // An OPTIONAL share may be stopped freely: its recording track just ends.
  if (type === 'SCREEN_SHARE_STOPPED' && config.screenShare !== 'REQUIRED') return 'screen sharing is not required in this interview';
  return undefined;
}

/**
 * Whether the candidate's accommodations cover this event: its type is accommodated, or it is a
 * look-away whose reported head angles stay within the candidate's wider threshold (the page
 * already judges by that threshold; this holds whatever a page sends). Covered events are still
 * stored, as evidence, but raise no alert and do not count in the scores.
 */
export function coveredByAccommodations(type: ViolationType, metadata: Record<string, unknown> | null, accommodations: Accommodations): boolean {
  if (accommodatesType(accommodations, type)) return true;
  if (type !== 'LOOKING_AWAY' || accommodations.lookAwayDegrees === null) return false;
  const angles = [metadata?.yaw, metadata?.pitch].filter((angle): angle is number => typeof angle === 'number' && Number.isFinite(angle));
  return angles.length > 0 && angles.every((angle) => Math.abs(angle) <= accommodations.lookAwayDegrees!);
}
