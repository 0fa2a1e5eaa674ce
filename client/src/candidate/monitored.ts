// What the consent screen lists, derived from the interview's rules: exactly what this
// interview monitors and records, in the candidate's words.
import type { InterviewRules } from '../../../contract/interview.ts';
import type { PageConfig } from '../../../contract/page-config.ts';

export function monitoredItems(rules: InterviewRules, faceChecks: boolean): string[] {
  const items = [
    ...(faceChecks
      ? [
          `Your camera image, checked a few times per second in this browser: whether your face is visible, whether another person is visible, and whether you look away from the screen (more than ${rules.lookAwayDegrees}°)`,
        ]
      : []),
    'Switching to another tab or window, and resizing the browser window',
    'Opening the right-click menu (it is blocked) and opening developer tools',
  ];
  if (rules.requireFullscreen) items.push('Leaving fullscreen (this interview runs in fullscreen)');
  items.push(rules.allowCopyPaste ? 'Copy and paste are allowed and not monitored' : 'Copying, cutting and pasting (they are blocked)');
  if (rules.audioPolicy === 'FLAG') items.push('Your microphone: whether someone is speaking (voice activity, not what is said)');
  items.push('Whether more than one display is connected to your computer (where your browser tells)');
  if (rules.screenShare === 'REQUIRED') items.push('Your entire screen is shared during the interview (required): stopping the share is flagged');
  return items;
}

export function recordedItems(rules: InterviewRules, transcription: PageConfig['transcription']): string[] {
  return [
    "Your camera video and microphone audio during the interview, and the interviewer's",
    ...screenItems(rules),
    ...(transcription
      ? [
          `After the interview, the audio is transcribed by machine (an approximate text of what you and the interviewer said), ${transcription.by ? `by ${transcription.by}, which receives the audio for that` : 'on this server'}`,
        ]
      : []),
    'A small still image from your camera when a face check fails (as evidence for the interviewer)',
    'The events listed above, with their times, and your device type and screen size',
    `Everything is kept for ${rules.retentionDays} days, then deleted`,
  ];
}

function screenItems(rules: InterviewRules): string[] {
  switch (rules.screenShare) {
    case 'REQUIRED':
      return ['Your entire screen: sharing it is required before you join (a window or a tab is not enough)'];
    case 'OPTIONAL':
      return ['Your screen, if you choose to share it (optional)'];
    default:
      return [];
  }
}
