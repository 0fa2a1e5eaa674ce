// One row of the flag list: the snapshot's thumbnail, time and type, the facts on one line and the
// verdict. A row holds no controls (they are in the one panel of the selected flag, FlagDetail)
// and is built once, then bound to whichever flag scrolls into its place: a fling through
// thousands of flags rewrites a few texts per row instead of building rows.
import { h } from '../dom.ts';
import { clock, facts, verdictText, type Flag } from './flag.ts';

export class FlagRow {
  readonly element: HTMLElement;
  /** Where the row stands in the list (-1: not placed yet). */
  index = -1;
  #flag: Flag | undefined;
  readonly #image: HTMLImageElement;
  readonly #shape: HTMLElement;
  readonly #title: Text;
  readonly #facts: Text;
  readonly #verdict: HTMLElement;

  constructor() {
    this.#image = h('img', { alt: '', hidden: true });
    this.#shape = h('span', { 'aria-hidden': 'true' });
    this.#title = document.createTextNode('');
    this.#facts = document.createTextNode('');
    this.#verdict = h('span', { class: 'verdict' });
    this.element = h(
      'div',
      { class: 'flag', role: 'option', 'aria-selected': 'false' },
      h('div', { class: 'thumb' }, this.#image),
      h('div', { class: 'flag-body' }, h('div', { class: 'flag-time' }, this.#shape, this.#title, this.#verdict), h('div', { class: 'flag-facts' }, this.#facts)),
    );
  }

  get flag(): Flag | undefined {
    return this.#flag;
  }

  /** Shows `flag`, with its snapshot when fetched (the same flag again: its review may have changed). */
  bind(flag: Flag, snapshot: string | undefined): void {
    if (this.#flag !== flag) {
      this.#flag = flag;
      this.element.id = `flag-${flag.id}`;
      this.element.dataset.flag = flag.id;
      this.#shape.className = `shape sev-${flag.severity}`;
      this.#title.data = `${clock(flag.atMs)} ${flag.type}`;
      this.#facts.data = facts(flag);
      this.showSnapshot(snapshot);
    }
    const verdictClass = `verdict ${flag.review?.verdict ?? ''}`.trim();
    if (this.#verdict.className !== verdictClass) this.#verdict.className = verdictClass;
    this.#verdict.textContent = verdictText(flag.review);
  }

  showSnapshot(src: string | undefined): void {
    if (src) this.#image.src = src;
    else this.#image.removeAttribute('src');
    this.#image.hidden = !src;
  }

  /** Puts the row at its place in a list of `size` flags, `rowHeight` px each, selected or not. */
  place(index: number, size: number, rowHeight: number, selected: boolean): void {
    if (this.index !== index) {
      this.index = index;
      this.element.style.top = `${index * rowHeight}px`;
      this.element.setAttribute('aria-posinset', String(index + 1));
    }
    if (this.element.getAttribute('aria-setsize') !== String(size)) this.element.setAttribute('aria-setsize', String(size));
    const ariaSelected = String(selected);
    if (this.element.getAttribute('aria-selected') !== ariaSelected) this.element.setAttribute('aria-selected', ariaSelected);
  }
}
