// The bar under the video: the playhead, every flag as a marker (colour AND shape by severity, so
// it reads without colour) and the stream-quality dips (MEDIA_LOST spans) as a band. Markers are
// not tab stops (a long interview has thousands): the bar is one focusable element, j/k move
// between flags, and a click on a marker seeks. Markers and dips are added as their queries
// answer, after the video is already playing.
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
  readonly #track: HTMLElement;
  readonly #band: HTMLElement;
  readonly #playhead: HTMLElement;
  readonly #markers = new Map<string, HTMLElement>();
  readonly #lengthMs: number;
  #selected: HTMLElement | undefined;
  #widthPx = 0;
  #clockMs = 0;

  constructor(lengthMs: number, onPick: (flagId: string) => void, onSeek: (clockMs: number) => void) {
    this.#lengthMs = Math.max(1, lengthMs);
    this.#playhead = h('div', { class: 'playhead' });
    this.#track = h('div', { class: 'timeline-track' }, this.#playhead);
    this.#band = h('div', { class: 'dip-band', 'aria-hidden': 'true' });
    this.#track.addEventListener('click', (event) => {
      const flagId = (event.target as HTMLElement).closest<HTMLElement>('.marker')?.dataset.flag;
      if (flagId) return onPick(flagId);
      const box = this.#track.getBoundingClientRect();
      onSeek(((event.clientX - box.left) / box.width) * this.#lengthMs);
    });
    new ResizeObserver(([entry]) => {
      this.#widthPx = entry?.contentRect.width ?? 0;
      this.clockMs = this.#clockMs;
    }).observe(this.#track);
    this.element = h('div', { class: 'timeline', id: 'timeline', tabindex: '0', role: 'group' }, this.#track, this.#band);
    this.#label();
  }

  /** The playhead moves by a transform, in pixels: no layout of the thousands of markers on every timeupdate. */
  set clockMs(value: number) {
    this.#clockMs = value;
    const fraction = Math.min(1, Math.max(0, value / this.#lengthMs));
    this.#playhead.style.transform = `translateX(${(fraction * this.#widthPx).toFixed(1)}px)`;
  }

  add(flags: TimelineFlag[]): void {
    const markers = flags.map((flag) => {
      const marker = h('span', { class: `marker sev-${flag.severity}`, 'data-flag': flag.id, title: flag.label, 'aria-hidden': 'true' });
      marker.style.left = this.#percent(flag.atMs);
      this.#markers.set(flag.id, marker);
      return marker;
    });
    this.#playhead.before(...markers);
    this.#label();
  }

  addDips(dips: Span[]): void {
    for (const dip of dips) {
      const span = h('div', { class: 'dip', title: `Stream lost for ${Math.round(dip.durationMs / 1000)} s` });
      span.style.left = this.#percent(dip.startMs);
      span.style.width = `max(2px, ${(dip.durationMs / this.#lengthMs) * 100}%)`;
      this.#band.append(span);
    }
  }

  select(flagId: string | undefined): void {
    this.#selected?.classList.remove('selected');
    this.#selected = flagId === undefined ? undefined : this.#markers.get(flagId);
    this.#selected?.classList.add('selected');
  }

  #label(): void {
    this.element.setAttribute('aria-label', `Timeline: ${this.#markers.size} flags; j and k move between them, left and right arrows seek 5 seconds`);
  }

  #percent(ms: number): string {
    return `${Math.min(100, Math.max(0, (ms / this.#lengthMs) * 100))}%`;
  }
}
