// Browser-level signals: tab and window switches, fullscreen exit, window resizing,
// copy/cut/paste and the context menu (blocked unless allowed), devtools heuristics, and more than
// one display (`screen.isExtended`, where the browser offers it).
import type { InterviewRules } from '../../../contract/interview.ts';
import type { DetectedEvent } from './detected-event.ts';

/** Docked devtools shrink the viewport by at least this much. */
const DEVTOOLS_DELTA_PX = 160;
/** A `debugger` statement only pauses this long when devtools are open. */
const DEBUGGER_PAUSE_MS = 100;
const DEVTOOLS_PROBE_MS = 2000;
const RESIZE_SETTLE_MS = 500;
/** A blur that is really a tab switch shows as hidden within this long. */
const BLUR_SETTLE_MS = 150;
/** A literal statement (client/vite.config.ts keeps it through minification): the page's CSP allows no eval. */
function pauseIfDebugging(): void {
  // eslint-disable-next-line no-debugger -- the probe itself: it only pauses when devtools are open
  debugger;
}

export class SystemMonitor {
  readonly #rules: InterviewRules;
  readonly #emit: (event: DetectedEvent) => void;
  readonly #abort = new AbortController();
  /** Blur settle checks not yet run (a captured blur also fires for focused elements). */
  readonly #blurChecks = new Set<ReturnType<typeof setTimeout>>();
  #outer = { width: window.outerWidth, height: window.outerHeight };
  #baseDelta = viewportDelta();
  #devtoolsOpen = false;

  constructor(rules: InterviewRules, emit: (event: DetectedEvent) => void) {
    this.#rules = rules;
    this.#emit = emit;
    const on = <K extends keyof DocumentEventMap>(target: Document | Window, type: K, handler: (event: DocumentEventMap[K]) => void) =>
      target.addEventListener(type, handler as EventListener, { signal: this.#abort.signal, capture: true });

    on(document, 'visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.#report('TAB_SWITCH', { to: 'hidden' });
    });
    on(window, 'blur', () => {
      const check = setTimeout(() => {
        this.#blurChecks.delete(check);
        if (!document.hidden) this.#report('WINDOW_BLUR');
      }, BLUR_SETTLE_MS);
      this.#blurChecks.add(check);
    });
    on(document, 'fullscreenchange', () => {
      if (this.#rules.requireFullscreen && !document.fullscreenElement) this.#report('FULLSCREEN_EXIT');
    });
    for (const action of ['copy', 'cut', 'paste'] as const) {
      on(document, action, (event) => {
        if (this.#rules.allowCopyPaste) return;
        event.preventDefault();
        this.#report('COPY_PASTE', { action, blocked: true });
      });
    }
    on(document, 'contextmenu', (event) => {
      event.preventDefault();
      this.#report('CONTEXT_MENU', { blocked: true });
    });
    let resizeTimer: ReturnType<typeof setTimeout> | undefined;
    on(window, 'resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => this.#checkResize(), RESIZE_SETTLE_MS);
    });
    // Chromium's Window Management API tells whether the desktop spans several displays, and
    // fires 'change' on the screen when that changes; other browsers say nothing (not reported).
    const displays = screen as Screen & { isExtended?: boolean } & EventTarget;
    let extended = false;
    const checkDisplays = () => {
      if (displays.isExtended === true && !extended) this.#report('MULTIPLE_DISPLAYS', { isExtended: true });
      extended = displays.isExtended === true;
    };
    if (typeof displays.isExtended === 'boolean') {
      checkDisplays();
      displays.addEventListener('change', checkDisplays, { signal: this.#abort.signal });
    }
    const probe = setInterval(() => this.#probeDevtools(), DEVTOOLS_PROBE_MS);
    this.#abort.signal.addEventListener('abort', () => {
      clearInterval(probe);
      clearTimeout(resizeTimer);
    });
  }

  close(): void {
    this.#abort.abort();
    for (const check of this.#blurChecks) clearTimeout(check);
  }

  #checkResize(): void {
    const now = { width: window.outerWidth, height: window.outerHeight };
    // Entering or leaving fullscreen resizes too; that has its own signal.
    if (document.fullscreenElement || (now.width === this.#outer.width && now.height === this.#outer.height)) return;
    this.#report('RESIZE_ATTEMPT', { from: this.#outer, to: now });
    this.#outer = now;
    this.#baseDelta = viewportDelta();
  }

  #probeDevtools(): void {
    const delta = viewportDelta();
    const docked = delta.width - this.#baseDelta.width > DEVTOOLS_DELTA_PX || delta.height - this.#baseDelta.height > DEVTOOLS_DELTA_PX;
    const started = performance.now();
    pauseIfDebugging();
    const paused = performance.now() - started > DEBUGGER_PAUSE_MS;
    const open = docked || paused;
    if (open && !this.#devtoolsOpen) this.#report('DEVTOOLS_OPEN', { docked, paused });
    this.#devtoolsOpen = open;
  }

  #report(type: DetectedEvent['type'], metadata?: Record<string, unknown>): void {
    this.#emit({ type, occurredAt: Date.now(), durationMs: 0, ...(metadata ? { metadata } : {}) });
  }
}

function viewportDelta(): { width: number; height: number } {
  return { width: window.outerWidth - window.innerWidth, height: window.outerHeight - window.innerHeight };
}
