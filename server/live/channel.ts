// In-process fan-out, keyed (by interview for host events, by candidate for messages to the
// candidate). Listeners are called synchronously in publish order.
type Listener<T> = (message: T) => void;

export class Channel<T> {
  readonly #listeners = new Map<string, Set<Listener<T>>>();

  publish(key: string, message: T): void {
    for (const listener of this.#listeners.get(key) ?? []) listener(message);
  }

  /** Returns the function that stops listening. */
  listen(key: string, listener: Listener<T>): () => void {
    let listeners = this.#listeners.get(key);
    if (!listeners) this.#listeners.set(key, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(key);
    };
  }

  listenerCount(key: string): number {
    return this.#listeners.get(key)?.size ?? 0;
  }
}
