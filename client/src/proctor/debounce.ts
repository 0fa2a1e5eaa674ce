// Same-type events within the window are merged into one: the first goes out at once,
// later ones are folded together and go out when the window closes, with how many were merged.
import type { ViolationType } from '../../../contract/violations.ts';
import type { DetectedEvent } from './detected-event.ts';

export const DEBOUNCE_WINDOW_MS = 5000;

interface Window {
  sentAt: number;
  pending: (DetectedEvent & { merged: number }) | undefined;
}

export class Debouncer {
  readonly #windowMs: number;
  readonly #windows = new Map<ViolationType, Window>();

  constructor(windowMs = DEBOUNCE_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  /** The event if it may go out now; otherwise it is held and merged. */
  push(event: DetectedEvent): DetectedEvent[] {
    const window = this.#windows.get(event.type);
    if (!window || event.occurredAt - window.sentAt >= this.#windowMs) {
      this.#windows.set(event.type, { sentAt: event.occurredAt, pending: undefined });
      return [event];
    }
    const held = window.pending;
    window.pending = held ? { ...held, durationMs: held.durationMs + event.durationMs, merged: held.merged + 1, ...maxConfidence(held, event) } : { ...event, merged: 1 };
    return [];
  }

  /** Merged events whose window has closed by `now`. */
  due(now: number): DetectedEvent[] {
    const out: DetectedEvent[] = [];
    for (const window of this.#windows.values()) {
      if (!window.pending || now - window.sentAt < this.#windowMs) continue;
      const { merged, ...event } = window.pending;
      out.push({ ...event, metadata: { ...event.metadata, merged } });
      window.sentAt = now;
      window.pending = undefined;
    }
    return out;
  }
}

function maxConfidence(a: DetectedEvent, b: DetectedEvent): { confidence?: number } {
  if (a.confidence === undefined && b.confidence === undefined) return {};
  return { confidence: Math.max(a.confidence ?? 0, b.confidence ?? 0) };
}
