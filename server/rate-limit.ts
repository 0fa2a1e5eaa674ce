// A fixed-window counter per key, in memory: enough for one process guarding logins and sign-ups.
import { RateLimitedError } from './errors.ts';

export class FixedWindowLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, { startedAt: number; count: number }>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Throws RateLimitedError once `key` has used up its budget in the current window. */
  check(key: string, message: string, now = Date.now()): void {
    const window = this.#windows.get(key);
    if (window && now - window.startedAt < this.#windowMs && window.count >= this.#limit) {
      throw new RateLimitedError(message, window.startedAt + this.#windowMs - now);
    }
  }

  /**
   * Counts an attempt before it is made (throws RateLimitedError when the budget is used up), so
   * parallel attempts cannot all pass the check before any of them is counted.
   */
  take(key: string, message: string, now = Date.now()): void {
    this.check(key, message, now);
    this.#hit(key, now);
  }

  /** Gives back one attempt `take` counted (it turned out not to be a failure). */
  refund(key: string, now = Date.now()): void {
    const window = this.#windows.get(key);
    if (window && now - window.startedAt < this.#windowMs && window.count > 0) window.count--;
  }

  #hit(key: string, now: number): void {
    const window = this.#windows.get(key);
    if (!window || now - window.startedAt >= this.#windowMs) {
      this.#windows.set(key, { startedAt: now, count: 1 });
      this.#sweep(now);
    } else {
      window.count++;
    }
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }

  #sweep(now: number): void {
    if (this.#windows.size < 10_000) return;
    for (const [key, window] of this.#windows) if (now - window.startedAt >= this.#windowMs) this.#windows.delete(key);
  }
}

/** A token bucket: `ratePerSecond` sustained, bursts up to `burst`. */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, burst: number, now = Date.now()) {
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  /** Takes one token if there is one. */
  take(now = Date.now()): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
