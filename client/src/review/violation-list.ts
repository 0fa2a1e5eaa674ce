// The flags beside the video, windowed: only the rows in view (and a few around) are in the DOM,
// so 2,000 flags scroll as smoothly as 20. Rows have one fixed height; the selected flag (j/k or
// a marker) scrolls into view. Snapshots are fetched with the review login as rows appear.
import { h } from '../dom.ts';

export type Verdict = 'CONFIRMED' | 'DISMISSED';

export interface Flag {
  id: string;
  atMs: number;
  type: string;
  severity: string;
  durationMs: number;
  count: number;
  /** The most confident event's confidence, 0–1; null when no event carried one. */
  confidence: number | null;
  snapshotUrl: string | null;
  review: { verdict: Verdict; note: string | null } | null;
}

export interface ListActions {
  select(flagId: string): void;
  verdict(flagId: string, verdict: Verdict, note: string): void;
  /** An object URL for a snapshot link (fetched with the login). */
  snapshot(url: string): Promise<string>;
}

const ROW_HEIGHT = 116;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 4;

export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(total / 3600);
  return `${hours > 0 ? `${hours}:` : ''}${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

/** Severity, duration, count and (when the detector gave one) confidence, as one line. */
function facts(flag: Flag): string {
  const line = `${flag.severity} · ${(flag.durationMs / 1000).toFixed(1)} s · ×${flag.count}`;
  return flag.confidence === null ? line : `${line} · ${Math.round(flag.confidence * 100)} % confidence`;
}

export class ViolationList {
  readonly element: HTMLElement;
  readonly #flags: Flag[];
  readonly #index = new Map<string, number>();
  readonly #rows = new Map<number, HTMLElement>();
  readonly #notes = new Map<string, string>();
  readonly #spacer: HTMLElement;
  readonly #actions: ListActions;
  #selected: string | undefined;
  #readOnly = false;
  #frame = 0;

  constructor(flags: Flag[], actions: ListActions, readOnly: boolean) {
    this.#flags = flags;
    this.#actions = actions;
    this.#readOnly = readOnly;
    flags.forEach((flag, i) => this.#index.set(flag.id, i));
    this.#spacer = h('div', { class: 'flag-spacer', role: 'list', 'aria-label': `${flags.length} flags, oldest first` });
    this.#spacer.style.height = `${flags.length * ROW_HEIGHT}px`;
    this.element = h('div', { class: 'flag-list', id: 'flag-list' }, this.#spacer);
    this.element.addEventListener('scroll', () => this.#schedule());
    new ResizeObserver(() => this.#schedule()).observe(this.element);
  }

  get renderedRows(): number {
    return this.#rows.size;
  }

  select(flagId: string): void {
    this.#selected = flagId;
    const index = this.#index.get(flagId);
    if (index === undefined) return;
    const top = index * ROW_HEIGHT;
    if (top < this.element.scrollTop || top + ROW_HEIGHT > this.element.scrollTop + this.element.clientHeight) {
      this.element.scrollTop = top - (this.element.clientHeight - ROW_HEIGHT) / 2;
    }
    this.#render();
  }

  /** The note typed for a flag (kept while its row scrolls away). */
  noteOf(flagId: string): string {
    return this.#notes.get(flagId) ?? '';
  }

  update(flagId: string, review: Flag['review']): void {
    const index = this.#index.get(flagId);
    if (index === undefined) return;
    this.#flags[index]!.review = review;
    this.#rows.get(index)?.remove();
    this.#rows.delete(index);
    this.#render();
  }

  setReadOnly(): void {
    this.#readOnly = true;
    for (const row of this.#rows.values()) row.remove();
    this.#rows.clear();
    this.#render();
  }

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  #render(): void {
    const first = Math.max(0, Math.floor(this.element.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.#flags.length - 1, Math.ceil((this.element.scrollTop + this.element.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    for (const [index, row] of this.#rows) {
      if (index < first || index > last) {
        // Never drop the row holding focus: the keyboard user would lose their place.
        if (row.contains(document.activeElement)) continue;
        row.remove();
        this.#rows.delete(index);
      }
    }
    for (let index = first; index <= last; index++) {
      let row = this.#rows.get(index);
      if (!row) {
        row = this.#row(index);
        this.#rows.set(index, row);
        this.#spacer.append(row);
      }
      row.classList.toggle('selected', this.#flags[index]!.id === this.#selected);
    }
  }

  #row(index: number): HTMLElement {
    const flag = this.#flags[index]!;
    const what = `flag ${index + 1}, ${flag.type} at ${clock(flag.atMs)}`;
    const thumb = h('div', { class: 'thumb' }, flag.snapshotUrl ? '' : h('span', { class: 'hint' }, 'No snapshot'));
    if (flag.snapshotUrl) {
      void this.#actions.snapshot(flag.snapshotUrl).then(
        (src) => thumb.replaceChildren(h('img', { src, alt: `Evidence snapshot of ${what}` })),
        () => thumb.replaceChildren(h('span', { class: 'hint' }, 'Snapshot unavailable')),
      );
    }
    const verdict = flag.review
      ? h('span', { class: `verdict ${flag.review.verdict}` }, flag.review.verdict === 'CONFIRMED' ? '✓ Confirmed' : '✕ Dismissed')
      : h('span', { class: 'verdict' }, 'Not reviewed');
    const controls: Node[] = [];
    if (this.#readOnly) {
      if (flag.review?.note) controls.push(h('span', { class: 'hint' }, flag.review.note));
    } else {
      const note = h('input', {
        class: 'flag-note',
        maxlength: '2000',
        placeholder: 'Note (optional)',
        'aria-label': `Note for ${what}`,
        value: this.#notes.get(flag.id) ?? flag.review?.note ?? '',
      });
      note.addEventListener('input', () => this.#notes.set(flag.id, note.value));
      const give = (value: Verdict) => () => this.#actions.verdict(flag.id, value, note.value);
      controls.push(
        h('button', { type: 'button', class: 'confirm', 'aria-label': `Confirm ${what}`, onclick: give('CONFIRMED') }, 'Confirm'),
        h('button', { type: 'button', class: 'dismiss secondary', 'aria-label': `Dismiss ${what}`, onclick: give('DISMISSED') }, 'Dismiss'),
        note,
      );
    }
    const row = h(
      'div',
      { class: 'flag', role: 'listitem', 'data-flag': flag.id, 'aria-posinset': String(index + 1), 'aria-setsize': String(this.#flags.length) },
      thumb,
      h(
        'div',
        { class: 'flag-body' },
        h(
          'button',
          { type: 'button', class: 'flag-time link', 'aria-label': `Play ${what}`, onclick: () => this.#actions.select(flag.id) },
          h('span', { class: `shape sev-${flag.severity}`, 'aria-hidden': 'true' }),
          `${clock(flag.atMs)} ${flag.type}`,
        ),
        h('div', { class: 'flag-facts' }, facts(flag)),
        h('div', { class: 'flag-review' }, verdict, ...controls),
      ),
    );
    row.style.top = `${index * ROW_HEIGHT}px`;
    return row;
  }
}
