// The selected flag, above the list: its snapshot, what was detected, its verdict, and the review
// controls (Confirm, Dismiss, a note). One panel for every flag: a note typed for a flag is kept
// while others are selected, and c/x give the verdict with it. Read-only once the review is
// complete: the verdict and its note, no controls.
import { h } from '../dom.ts';
import { clock, facts, verdictText, type Flag, type Verdict } from './flag.ts';

export interface DetailActions {
  verdict(flagId: string, verdict: Verdict, note: string): void;
  /** An object URL for a snapshot link (fetched with the login). */
  snapshot(url: string): Promise<string>;
}

export class FlagDetail {
  readonly element: HTMLElement;
  readonly #actions: DetailActions;
  readonly #notes = new Map<string, string>();
  readonly #empty: HTMLElement;
  readonly #shown: HTMLElement;
  readonly #image: HTMLImageElement;
  readonly #thumbHint: HTMLElement;
  readonly #shape: HTMLElement;
  readonly #title: Text;
  readonly #facts: HTMLElement;
  readonly #verdict: HTMLElement;
  readonly #controls: HTMLElement;
  readonly #confirm: HTMLButtonElement;
  readonly #dismiss: HTMLButtonElement;
  readonly #note: HTMLInputElement;
  readonly #reviewNote: HTMLElement;
  #flag: Flag | undefined;
  #readOnly: boolean;

  constructor(actions: DetailActions, readOnly: boolean) {
    this.#actions = actions;
    this.#readOnly = readOnly;
    const give = (verdict: Verdict) => () => this.#flag && actions.verdict(this.#flag.id, verdict, this.#note.value);
    this.#image = h('img', { hidden: true });
    this.#thumbHint = h('span', { class: 'hint' });
    this.#shape = h('span', { 'aria-hidden': 'true' });
    this.#title = document.createTextNode('');
    this.#facts = h('p', { class: 'flag-facts' });
    this.#verdict = h('span', { class: 'verdict' });
    this.#reviewNote = h('span', { class: 'hint' });
    this.#confirm = h('button', { type: 'button', class: 'confirm', onclick: give('CONFIRMED') }, 'Confirm (c)');
    this.#dismiss = h('button', { type: 'button', class: 'dismiss secondary', onclick: give('DISMISSED') }, 'Dismiss (x)');
    this.#note = h('input', { class: 'flag-note', maxlength: '2000', placeholder: 'Note (optional)' });
    this.#note.addEventListener('input', () => this.#flag && this.#notes.set(this.#flag.id, this.#note.value));
    this.#controls = h('div', { class: 'flag-review' }, this.#confirm, this.#dismiss, this.#note);
    this.#empty = h('p', { class: 'hint' }, 'Select a flag to review it: click one in the list, or press j / k.');
    this.#shown = h(
      'div',
      { class: 'detail-body', hidden: true },
      h('div', { class: 'detail-thumb' }, this.#image, this.#thumbHint),
      h(
        'div',
        { class: 'detail-text' },
        h('h3', { class: 'flag-time' }, this.#shape, this.#title),
        this.#facts,
        h('p', { class: 'detail-verdict' }, this.#verdict, ' ', this.#reviewNote),
        this.#controls,
      ),
    );
    this.element = h('section', { class: 'flag-detail', id: 'flag-detail', 'aria-label': 'Selected flag' }, this.#empty, this.#shown);
  }

  /** The note typed for a flag (kept while others are selected). */
  noteOf(flagId: string): string {
    return this.#notes.get(flagId) ?? '';
  }

  show(flag: Flag): void {
    const changed = this.#flag !== flag;
    this.#flag = flag;
    const what = `${flag.type} flag at ${clock(flag.atMs)}`;
    this.#empty.hidden = true;
    this.#shown.hidden = false;
    this.element.dataset.flag = flag.id;
    this.#shape.className = `shape sev-${flag.severity}`;
    this.#title.data = `${clock(flag.atMs)} ${flag.type}`;
    this.#facts.textContent = facts(flag);
    this.#image.alt = `Evidence snapshot of the ${what}`;
    this.#confirm.setAttribute('aria-label', `Confirm the ${what} (c)`);
    this.#dismiss.setAttribute('aria-label', `Dismiss the ${what} (x)`);
    this.#note.setAttribute('aria-label', `Note for the ${what}`);
    this.#note.value = this.#notes.get(flag.id) ?? flag.review?.note ?? '';
    this.#showReview();
    if (changed) this.#loadSnapshot(flag);
  }

  /** The shown flag's review changed (a verdict given here or by key). */
  refresh(flagId: string): void {
    if (this.#flag?.id === flagId) this.#showReview();
  }

  setReadOnly(): void {
    this.#readOnly = true;
    this.#showReview();
  }

  #showReview(): void {
    const review = this.#flag?.review ?? null;
    this.#verdict.className = `verdict ${review?.verdict ?? ''}`.trim();
    this.#verdict.textContent = verdictText(review);
    this.#controls.hidden = this.#readOnly;
    this.#reviewNote.textContent = this.#readOnly ? (review?.note ?? '') : '';
  }

  #loadSnapshot(flag: Flag): void {
    this.#image.hidden = true;
    this.#image.removeAttribute('src');
    this.#thumbHint.textContent = flag.snapshotUrl ? 'Loading the snapshot…' : 'No snapshot';
    if (!flag.snapshotUrl) return;
    this.#actions.snapshot(flag.snapshotUrl).then(
      (src) => {
        if (this.#flag !== flag) return;
        this.#image.src = src;
        this.#image.hidden = false;
        this.#thumbHint.textContent = '';
      },
      () => {
        if (this.#flag === flag) this.#thumbHint.textContent = 'Snapshot unavailable';
      },
    );
  }
}
