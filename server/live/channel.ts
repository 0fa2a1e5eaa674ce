// Fan-out, keyed (by interview for host events, by candidate for messages to the candidate).
// Local listeners are called synchronously in publish order; a relay (PostgreSQL NOTIFY, when
// several server processes share a database) carries each message to the other processes,
// which hand it to their listeners with `deliver`.
type Listener<T> = (message: T) => void;
/** `relayed`: another process published the message. */
type AnyKeyListener<T> = (key: string, message: T, relayed: boolean) => void;
export type Relay<T> = (key: string, message: T) => void;

export class Channel<T> {
  readonly name: string;
  readonly #listeners = new Map<string, Set<Listener<T>>>();
  readonly #anyKeyListeners = new Set<AnyKeyListener<T>>();
  #relay: Relay<T> | undefined;

  constructor(name: string) {
    this.name = name;
  }

  relayTo(relay: Relay<T>): void {
    this.#relay = relay;
  }

  publish(key: string, message: T): void {
    this.#deliver(key, message, false);
    this.#relay?.(key, message);
  }

  /** Hands a message to this process's listeners only (what a relay receives from elsewhere). */
  deliver(key: string, message: T): void {
    this.#deliver(key, message, true);
  }

  /**
   * Every message delivered in this process, whatever its key, after the key's own listeners
   * have it (a subscriber sees a change before whatever reacts to it). For in-process subsystems
   * that follow all keys; they are not counted as listeners. Returns the function that stops.
   */
  listenToAll(listener: AnyKeyListener<T>): () => void {
    this.#anyKeyListeners.add(listener);
    return () => this.#anyKeyListeners.delete(listener);
  }

  #deliver(key: string, message: T, relayed: boolean): void {
    for (const listener of this.#listeners.get(key) ?? []) listener(message);
    for (const listener of this.#anyKeyListeners) listener(key, message, relayed);
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

  /** Listeners over all keys. */
  totalListeners(): number {
    let total = 0;
    for (const listeners of this.#listeners.values()) total += listeners.size;
    return total;
  }
}
