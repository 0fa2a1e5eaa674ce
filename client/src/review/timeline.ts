// The bar under the video: the playhead, every flag as a marker (colour AND shape by severity, so
// it reads without colour) and the stream-quality dips (MEDIA_LOST spans) as a band. Markers are
// not tab stops (a long interview has thousands): the bar is one focusable element, j/k move
// between flags, and a click on a marker seeks.
import { h } from '../dom.ts';

export interface TimelineFlag {
  id: string;
  atMs: number;
  severity: string;
  label: string;
}

export interface Span {
  startMs: number;
  durationMs: number;
}

export class Timeline {
  readonly element: HTMLElement;
  readonly #playhead: HTMLElement;
  readonly #markers = new Map<string, HTMLElement>();
  readonly #lengthMs: number;

  constructor(lengthMs: number, flags: TimelineFlag[], dips: Span[], onPick: (flagId: string) => void, onSeek: (clockMs: number) => void) {
    this.#lengthMs = Math.max(1, lengthMs);
    this.#playhead = h('div', { class: 'playhead' });
    const track = h('div', { class: 'timeline-track' });
    const band = h('div', { class: 'dip-band', 'aria-hidden': 'true' });
    for (const dip of dips) {
      const span = h('div', { class: 'dip', title: `Stream lost for ${Math.round(dip.durationMs / 1000)} s` });
      span.style.left = this.#percent(dip.startMs);
      span.style.width = `max(2px, ${(dip.durationMs / this.#lengthMs) * 100}%)`;
      band.append(span);
    }
    for (const flag of flags) {
      const marker = h('span', { class: `marker sev-${flag.severity}`, 'data-flag': flag.id, title: flag.label, 'aria-hidden': 'true' });
      marker.style.left = this.#percent(flag.atMs);
      this.#markers.set(flag.id, marker);
      track.append(marker);
    }
    track.append(this.#playhead);
    track.addEventListener('click', (event) => {
      const flagId = (event.target as HTMLElement).closest<HTMLElement>('.marker')?.dataset.flag;
      if (flagId) return onPick(flagId);
      const box = track.getBoundingClientRect();
      onSeek(((event.clientX - box.left) / box.width) * this.#lengthMs);
    });
    this.element = h(
      'div',
      {
        class: 'timeline',
        id: 'timeline',
        tabindex: '0',
        role: 'group',
        'aria-label': `Timeline: ${flags.length} flags; j and k move between them, left and right arrows seek 5 seconds`,
      },
      track,
      band,
    );
  }

  set clockMs(value: number) {
    this.#playhead.style.left = this.#percent(value);
  }

  select(flagId: string | undefined): void {
    for (const marker of this.element.querySelectorAll('.marker.selected')) marker.classList.remove('selected');
    if (flagId) this.#markers.get(flagId)?.classList.add('selected');
  }

  #percent(ms: number): string {
    return `${Math.min(100, Math.max(0, (ms / this.#lengthMs) * 100))}%`;
  }
}
