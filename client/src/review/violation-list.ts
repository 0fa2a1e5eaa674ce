// The flags beside the video, windowed: only the rows in view (and a few around) are in the DOM,
// so 2,000 flags scroll as smoothly as 20. Rows have one fixed height and are recycled: a row
// scrolled out is bound to a flag scrolling in (see FlagRow). The selected flag (j/k or a
// marker) scrolls into view. Flags arrive page by page while the video is already playing, so
// rows are placed by the flag's index in the time order, which a later page can shift.
// Snapshots are fetched with the review login for the rows in view once the list stops
// scrolling: a fling through 2,000 flags does not ask for 2,000 images it never shows.
import { h } from '../dom.ts';
import { type Flag, type Verdict } from './flag.ts';
import { FlagRow } from './flag-row.ts';

export interface ListActions {
  select(flagId: string): void;
  verdict(flagId: string, verdict: Verdict, note: string): void;
  /** An object URL for a snapshot link (fetched with the login). */
  snapshot(url: string): Promise<string>;
}

const ROW_HEIGHT = 116;
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
  readonly #notes = new Map<string, string>();
  /** Fetched snapshots, flag id → object URL. */
  readonly #snapshots = new Map<string, string>();
  /** Flags in view whose snapshot is still to fetch. */
  readonly #unfetched = new Set<string>();
  #snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #spacer: HTMLElement;
  readonly #actions: ListActions;
  #selected: string | undefined;
  #readOnly = false;
  #frame = 0;

  constructor(actions: ListActions, readOnly: boolean) {
    this.#actions = actions;
    this.#readOnly = readOnly;
    this.#spacer = h('div', { class: 'flag-spacer', role: 'list' });
    this.element = h('div', { class: 'flag-list', id: 'flag-list' }, this.#spacer);
    this.element.addEventListener('scroll', () => this.#schedule());
    new ResizeObserver(() => this.#schedule()).observe(this.element);
    this.#sized();
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
    this.#sized();
    this.#render();
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
    const flag = this.#flags[index]!;
    flag.review = review;
    this.#rows.get(flagId)?.bind(flag, this.#stateOf(flag));
  }

  setReadOnly(): void {
    this.#readOnly = true;
    for (const [flagId, row] of this.#rows) {
      const flag = this.#flags[this.#index.get(flagId)!]!;
      row.bind(flag, this.#stateOf(flag));
    }
  }

  #sized(): void {
    this.#spacer.style.height = `${this.#flags.length * ROW_HEIGHT}px`;
    this.#spacer.setAttribute('aria-label', `${this.#flags.length} flags, oldest first`);
  }

  #stateOf(flag: Flag) {
    return { note: this.#notes.get(flag.id), readOnly: this.#readOnly, snapshot: this.#snapshots.get(flag.id) };
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
      if (index >= first && index <= last) continue;
      // Never reuse the row holding focus: the keyboard user would lose their place.
      if (row.element.contains(document.activeElement)) {
        row.place(index, this.#flags.length, ROW_HEIGHT);
        continue;
      }
      this.#rows.delete(flagId);
      this.#unfetched.delete(flagId);
      spare.push(row);
    }
    for (let index = first; index <= last; index++) {
      const flag = this.#flags[index]!;
      let row = this.#rows.get(flag.id);
      if (!row) {
        row = spare.pop() ?? this.#newRow();
        row.bind(flag, this.#stateOf(flag));
        this.#rows.set(flag.id, row);
        if (flag.snapshotUrl && !this.#snapshots.has(flag.id)) this.#unfetched.add(flag.id);
      }
      row.place(index, this.#flags.length, ROW_HEIGHT);
      row.element.classList.toggle('selected', flag.id === this.#selected);
    }
    for (const row of spare) row.element.remove();
    clearTimeout(this.#snapshotTimer);
    if (this.#unfetched.size > 0) this.#snapshotTimer = setTimeout(() => this.#fetchSnapshots(), SNAPSHOT_SETTLE_MS);
  }

  #newRow(): FlagRow {
    const row = new FlagRow({
      select: (flagId) => this.#actions.select(flagId),
      verdict: (flagId, verdict, note) => this.#actions.verdict(flagId, verdict, note),
      note: (flagId, note) => this.#notes.set(flagId, note),
    });
    this.#spacer.append(row.element);
    return row;
  }

  #fetchSnapshots(): void {
    for (const flagId of this.#unfetched) {
      const flag = this.#flags[this.#index.get(flagId)!]!;
      void this.#actions.snapshot(flag.snapshotUrl!).then(
        (src) => {
          this.#snapshots.set(flagId, src);
          this.#rows.get(flagId)?.showSnapshot(src);
        },
        () => this.#rows.get(flagId)?.showSnapshot(undefined),
      );
    }
    this.#unfetched.clear();
  }
}
