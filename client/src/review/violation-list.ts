// The flags beside the video, in time order: a listbox (one tab stop; the arrow keys, j/k or a
// click select a flag, and the panel above shows it with its review controls). Windowed: only
// the rows in view (and a few around) are in the DOM, so 2,000 flags scroll as 20 do. Rows have
// one fixed height and are recycled: a row scrolled out is bound to a flag scrolling in (see
// FlagRow); the selected flag's row stays, as the listbox's active option. Flags arrive page by
// page while the video already plays, so rows are placed by the flag's index in the time order,
// which a later page can shift. Snapshots are fetched for the rows in view once the list rests: a
// fling through 2,000 flags does not ask for 2,000 images it never shows.
import { h } from '../dom.ts';
import { type Flag } from './flag.ts';
import { FlagRow } from './flag-row.ts';

export interface ListActions {
  select(flagId: string): void;
  /** An object URL for a snapshot link (fetched with the login). */
  snapshot(url: string): Promise<string>;
}

/** Every row's height (px), given to the CSS as --flag-row-height. */
const ROW_HEIGHT = 60;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 4;
/** How long the list must rest before the rows in view fetch their snapshots. */
const SNAPSHOT_SETTLE_MS = 150;

export class ViolationList {
  readonly element: HTMLElement;
  /** Oldest first. */
  #flags: Flag[] = [];
  readonly #index = new Map<string, number>();
  /** The rows in the DOM, by the flag each shows. */
  readonly #rows = new Map<string, FlagRow>();
  /** Fetched snapshots, flag id → object URL. */
  readonly #snapshots = new Map<string, string>();
  readonly #spacer: HTMLElement;
  readonly #actions: ListActions;
  #selected: string | undefined;
  #snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  #frame = 0;

  constructor(actions: ListActions) {
    this.#actions = actions;
    this.#spacer = h('div', { class: 'flag-spacer' });
    this.element = h('div', { class: 'flag-list', id: 'flag-list', role: 'listbox', tabindex: '0', 'aria-label': 'Flags, oldest first' }, this.#spacer);
    this.element.style.setProperty('--flag-row-height', `${ROW_HEIGHT}px`);
    this.element.addEventListener('scroll', () => this.#schedule());
    this.element.addEventListener('click', (event) => {
      const flagId = (event.target as HTMLElement).closest<HTMLElement>('.flag')?.dataset.flag;
      if (flagId) actions.select(flagId);
    });
    this.element.addEventListener('keydown', (event) => this.#onKey(event));
    new ResizeObserver(() => this.#schedule()).observe(this.element);
  }

  get length(): number {
    return this.#flags.length;
  }

  flagAt(index: number): Flag | undefined {
    return this.#flags[index];
  }

  indexOf(flagId: string | undefined): number {
    return flagId === undefined ? -1 : (this.#index.get(flagId) ?? -1);
  }

  /** One more page of flags, in any order: merged into the time order, the rows in view moved to match. */
  add(flags: Flag[]): void {
    this.#flags = [...this.#flags, ...flags].sort((a, b) => a.atMs - b.atMs);
    this.#index.clear();
    this.#flags.forEach((flag, i) => this.#index.set(flag.id, i));
    this.#spacer.style.height = `${this.#flags.length * ROW_HEIGHT}px`;
    this.element.setAttribute('aria-label', `${this.#flags.length} flags, oldest first`);
    this.#render();
  }

  /** Marks the flag selected (the listbox's active option) and scrolls it into view. */
  select(flagId: string): void {
    const index = this.#index.get(flagId);
    if (index === undefined) return;
    this.#selected = flagId;
    const top = index * ROW_HEIGHT;
    if (top < this.element.scrollTop || top + ROW_HEIGHT > this.element.scrollTop + this.element.clientHeight) {
      this.element.scrollTop = top - (this.element.clientHeight - ROW_HEIGHT) / 2;
    }
    this.#render();
    this.element.setAttribute('aria-activedescendant', `flag-${flagId}`);
  }

  /** A flag's review changed: its row shows the new verdict. */
  update(flagId: string, review: Flag['review']): void {
    const flag = this.#flags[this.indexOf(flagId)];
    if (!flag) return;
    flag.review = review;
    this.#rows.get(flagId)?.bind(flag, this.#snapshots.get(flagId));
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
    const spare: FlagRow[] = [];
    for (const [flagId, row] of this.#rows) {
      const index = this.#index.get(flagId)!;
      // The selected flag's row stays: it is the listbox's active option, where a screen reader is.
      if ((index >= first && index <= last) || flagId === this.#selected) continue;
      this.#rows.delete(flagId);
      spare.push(row);
    }
    const place = (index: number) => {
      const flag = this.#flags[index]!;
      let row = this.#rows.get(flag.id);
      if (!row) {
        row = spare.pop() ?? this.#newRow();
        row.bind(flag, this.#snapshots.get(flag.id));
        this.#rows.set(flag.id, row);
      }
      row.place(index, this.#flags.length, ROW_HEIGHT, flag.id === this.#selected);
    };
    for (let index = first; index <= last; index++) place(index);
    const selected = this.indexOf(this.#selected);
    if (selected >= 0) place(selected);
    for (const row of spare) row.element.remove();
    clearTimeout(this.#snapshotTimer);
    this.#snapshotTimer = setTimeout(() => this.#fetchSnapshots(), SNAPSHOT_SETTLE_MS);
  }

  #newRow(): FlagRow {
    const row = new FlagRow();
    this.#spacer.append(row.element);
    return row;
  }

  #onKey(event: KeyboardEvent): void {
    const at = this.indexOf(this.#selected);
    const target = { ArrowDown: at + 1, ArrowUp: Math.max(0, at - 1), Home: 0, End: this.#flags.length - 1 }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const flag = this.#flags[Math.min(target, this.#flags.length - 1)];
    if (flag) this.#actions.select(flag.id);
  }

  #fetchSnapshots(): void {
    for (const [flagId, row] of this.#rows) {
      const url = row.flag?.snapshotUrl;
      if (!url || this.#snapshots.has(flagId)) continue;
      // A failed fetch leaves the thumbnail empty; the panel says so when the flag is selected.
      void this.#actions.snapshot(url).then(
        (src) => {
          this.#snapshots.set(flagId, src);
          this.#rows.get(flagId)?.showSnapshot(src);
        },
        () => {},
      );
    }
  }
}
