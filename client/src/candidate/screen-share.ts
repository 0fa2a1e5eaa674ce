// The screen step before joining, when the interview asks for the candidate's screen: the browser's
// picker is opened on a click (browsers allow it only then) asking for the entire screen, and what
// comes back is checked: a window or a tab (`displaySurface` other than 'monitor') is stopped and
// refused with guidance. REQUIRED: no way on without the entire screen; OPTIONAL: "Continue
// without" skips. <body data-screen-share> says the outcome (styling, tests).
import type { ScreenSharePolicy } from '../../../contract/interview.ts';
import { h, show } from '../dom.ts';

const SURFACE_NAMES: Record<string, string> = { window: 'a single window', browser: 'a browser tab' };

/** Resolves with the shared entire screen, or undefined when an OPTIONAL share was skipped. */
export function askScreen(policy: Exclude<ScreenSharePolicy, 'OFF'>): Promise<MediaStream | undefined> {
  return new Promise((resolve) => {
    const problem = h('p', { id: 'screen-problem', class: 'warning', hidden: true });
    const share = async () => {
      problem.hidden = true;
      let stream: MediaStream;
      try {
        // monitorTypeSurfaces / displaySurface: Chromium lists (and preselects) entire screens.
        stream = await navigator.mediaDevices.getDisplayMedia({
          video: { displaySurface: 'monitor' },
          audio: false,
          monitorTypeSurfaces: 'include',
        } as DisplayMediaStreamOptions);
      } catch (error) {
        refuse(`Your screen was not shared (${(error as DOMException).name}). Press "Share entire screen" and pick your entire screen.`);
        return;
      }
      const [track] = stream.getVideoTracks();
      // A browser that does not say which surface it gave is taken at its word.
      const surface = track?.getSettings().displaySurface;
      if (!track || (surface !== undefined && surface !== 'monitor')) {
        for (const t of stream.getTracks()) t.stop();
        refuse(
          `You shared ${SURFACE_NAMES[surface ?? ''] ?? 'something other than your screen'}. This interview needs your entire screen: press "Share entire screen" again and choose the "Entire screen" tab in the picker.`,
        );
        return;
      }
      document.body.dataset.screenShare = 'shared';
      resolve(stream);
    };
    const refuse = (guidance: string) => {
      document.body.dataset.screenShare = 'refused';
      problem.textContent = guidance;
      problem.hidden = false;
    };
    const skip = () => {
      document.body.dataset.screenShare = 'skipped';
      resolve(undefined);
    };
    show(
      'screen-share',
      h(
        'section',
        { class: 'card' },
        h('h1', {}, policy === 'REQUIRED' ? 'Share your entire screen' : 'Share your screen (optional)'),
        h(
          'p',
          {},
          policy === 'REQUIRED'
            ? 'This interview requires your entire screen to be shared and recorded while it lasts. A single window or a browser tab is not accepted. Stopping the share during the interview is flagged.'
            : 'You may share your entire screen with the interviewer; it is recorded while shared. You can stop sharing at any time.',
        ),
        problem,
        h(
          'div',
          { class: 'actions' },
          policy === 'OPTIONAL' ? h('button', { id: 'skip-screen', class: 'secondary', onclick: skip }, 'Continue without') : null,
          h('button', { id: 'share-screen', onclick: () => void share() }, 'Share entire screen'),
        ),
      ),
    );
  });
}
