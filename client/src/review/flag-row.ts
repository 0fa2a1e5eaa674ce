// One row of the flag list: built once, then bound to whichever flag scrolls into its place, so a
// scroll through thousands of flags rewrites a few texts and attributes instead of building (and
// styling) new buttons and inputs every frame. Its controls act on the flag bound at the time.
import { h } from '../dom.ts';
import { clock, type Flag, type Verdict } from './flag.ts';

export interface RowActions {
  select(flagId: string): void;
  verdict(flagId: string, verdict: Verdict, note: string): void;
  /** The reviewer typed in the flag's note. */
  note(flagId: string, note: string): void;
}

/** What a row shows for a flag besides the flag itself. */
export interface RowState {
  /** The note typed so far (kept while the row shows other flags); undefined: none typed. */
  note: string | undefined;
  readOnly: boolean;
  /** The snapshot's object URL once fetched. */
  snapshot: string | undefined;
}

/** Severity, duration, count and (when the detector gave one) confidence, as one line. */
function facts(flag: Flag): string {
  const line = `${flag.severity} · ${(flag.durationMs / 1000).toFixed(1)} s · ×${flag.count}`;
  return flag.confidence === null ? line : `${line} · ${Math.round(flag.confidence * 100)} % confidence`;
}

export class FlagRow {
  readonly element: HTMLElement;
  /** Where the row stands in the list (-1: not placed yet). */
  index = -1;
  #flag: Flag | undefined;
  readonly #image: HTMLImageElement;
  readonly #thumbHint: HTMLElement;
  readonly #play: HTMLButtonElement;
  readonly #shape: HTMLElement;
  readonly #time: Text;
  readonly #facts: HTMLElement;
  readonly #verdict: HTMLElement;
  readonly #confirm: HTMLButtonElement;
  readonly #dismiss: HTMLButtonElement;
  readonly #note: HTMLInputElement;
  readonly #reviewNote: HTMLElement;

  constructor(actions: RowActions) {
    const act = (action: (flagId: string) => void) => () => this.#flag && action(this.#flag.id);
    this.#image = h('img', { hidden: true });
    this.#thumbHint = h('span', { class: 'hint' });
    this.#shape = h('span', { 'aria-hidden': 'true' });
    this.#time = document.createTextNode('');
    this.#play = h('button', { type: 'button', class: 'flag-time link', onclick: act((id) => actions.select(id)) }, this.#shape, this.#time);
    this.#facts = h('div', { class: 'flag-facts' });
    this.#verdict = h('span', { class: 'verdict' });
    this.#note = h('input', { class: 'flag-note', maxlength: '2000', placeholder: 'Note (optional)' });
    this.#note.addEventListener(
      'input',
      act((id) => actions.note(id, this.#note.value)),
    );
    this.#confirm = h('button', { type: 'button', class: 'confirm', onclick: act((id) => actions.verdict(id, 'CONFIRMED', this.#note.value)) }, 'Confirm');
    this.#dismiss = h('button', { type: 'button', class: 'dismiss secondary', onclick: act((id) => actions.verdict(id, 'DISMISSED', this.#note.value)) }, 'Dismiss');
    this.#reviewNote = h('span', { class: 'hint' });
    this.element = h(
      'div',
      { class: 'flag', role: 'listitem' },
      h('div', { class: 'thumb' }, this.#image, this.#thumbHint),
      h('div', { class: 'flag-body' }, this.#play, this.#facts, h('div', { class: 'flag-review' }, this.#verdict, this.#confirm, this.#dismiss, this.#note, this.#reviewNote)),
    );
  }

  get flagId(): string | undefined {
    return this.#flag?.id;
  }

  /** Shows `flag` (the same flag again: its review or read-only state may have changed). */
  bind(flag: Flag, state: RowState): void {
    this.#flag = flag;
    const what = `${flag.type} flag at ${clock(flag.atMs)}`;
    this.element.dataset.flag = flag.id;
    this.#shape.className = `shape sev-${flag.severity}`;
    this.#time.data = `${clock(flag.atMs)} ${flag.type}`;
    this.#play.setAttribute('aria-label', `Play the ${what}`);
    this.#facts.textContent = facts(flag);
    this.#image.alt = `Evidence snapshot of the ${what}`;
    this.showSnapshot(flag.snapshotUrl ? state.snapshot : undefined, flag.snapshotUrl ? '' : 'No snapshot');
    this.#verdict.className = `verdict ${flag.review?.verdict ?? ''}`.trim();
    this.#verdict.textContent = !flag.review ? 'Not reviewed' : flag.review.verdict === 'CONFIRMED' ? '✓ Confirmed' : '✕ Dismissed';
    for (const control of [this.#confirm, this.#dismiss, this.#note]) control.hidden = state.readOnly;
    this.#confirm.setAttribute('aria-label', `Confirm the ${what}`);
    this.#dismiss.setAttribute('aria-label', `Dismiss the ${what}`);
    this.#note.setAttribute('aria-label', `Note for the ${what}`);
    this.#note.value = state.note ?? flag.review?.note ?? '';
    this.#reviewNote.textContent = state.readOnly ? (flag.review?.note ?? '') : '';
    this.#reviewNote.hidden = !this.#reviewNote.textContent;
  }

  /** The snapshot (an object URL), or in its place a hint (none, unavailable; empty while it loads). */
  showSnapshot(src: string | undefined, hint = 'Snapshot unavailable'): void {
    if (src) this.#image.src = src;
    else this.#image.removeAttribute('src');
    this.#image.hidden = !src;
    this.#thumbHint.textContent = src ? '' : hint;
  }

  /** Puts the row at its place in a list of `size` flags, `rowHeight` px each. */
  place(index: number, size: number, rowHeight: number): void {
    if (this.index !== index) {
      this.index = index;
      this.element.style.top = `${index * rowHeight}px`;
      this.element.setAttribute('aria-posinset', String(index + 1));
    }
    if (this.element.getAttribute('aria-setsize') !== String(size)) this.element.setAttribute('aria-setsize', String(size));
  }
}
