// Concurrent connections per org, counted in this process: each org's sockets count against its
// own cap, so one org opening sockets by the thousand is refused without touching another's.
import { LimitExceededError } from './errors.ts';

export class OrgConnectionLimit {
  readonly #max: number;
  readonly #open = new Map<string, number>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Counts one more connection of the org, or throws LimitExceededError; returns its release (idempotent). */
  acquire(orgId: string): () => void {
    const open = this.#open.get(orgId) ?? 0;
    if (open >= this.#max) throw new LimitExceededError(`Your organization already has ${this.#max} open connections; close one first`, this.#max);
    this.#open.set(orgId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(orgId) ?? 1) - 1;
      if (left > 0) this.#open.set(orgId, left);
      else this.#open.delete(orgId);
    };
  }
}
