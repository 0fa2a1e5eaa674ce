// In-process fan-out of live interview events to whoever listens (host subscriptions).
import type { InterviewEvent } from './events.ts';

type Listener = (event: InterviewEvent) => void;

export class LiveHub {
  readonly #listeners = new Map<string, Set<Listener>>();

  publish(event: InterviewEvent): void {
    for (const listener of this.#listeners.get(event.interviewId) ?? []) listener(event);
  }

  /** Returns the function that stops listening. */
  listen(interviewId: string, listener: Listener): () => void {
    let listeners = this.#listeners.get(interviewId);
    if (!listeners) this.#listeners.set(interviewId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(interviewId);
    };
  }

  listenerCount(interviewId: string): number {
    return this.#listeners.get(interviewId)?.size ?? 0;
  }
}
