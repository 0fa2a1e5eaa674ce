// Delivery of proctoring events: every event gets a seq, is kept in storage that
// survives reloads and reconnects, goes out in batches over reportEvents and stays until the
// server acknowledges it (acknowledged = committed). A repeated seq is harmless: the server
// acknowledges it again without storing it twice. DOM-free, so Node tests drive it.
import type { DetectedEvent } from './detected-event.ts';

export interface QueuedEvent {
  seq: number;
  type: DetectedEvent['type'];
  occurredAt: string;
  durationMs: number;
  confidence?: number;
  metadata?: Record<string, unknown>;
}

export interface DeliveryResult {
  accepted: number[];
  rejected: { seq: number; code: string; message: string }[];
}

/** sessionStorage's shape, so tests can pass a Map-backed one. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface EventQueueOptions {
  store: KeyValueStore;
  sessionId: string;
  /** When the session started (epoch ms): seqs are derived from it, see #nextSeq. */
  sessionStartedAt: number;
  send: (events: QueuedEvent[]) => Promise<DeliveryResult>;
  /** Told about each acknowledged event (snapshots are uploaded then, when it is linked). */
  onAcknowledged?: (event: QueuedEvent) => void;
  onRejected?: (event: QueuedEvent, reason: { code: string; message: string }) => void;
  batchSize?: number;
  /** First retry delay after a failed send; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  now?: () => number;
}

interface Persisted {
  lastSeq: number;
  pending: QueuedEvent[];
}

/** Rejections worth retrying: the same event may be accepted later. */
const RETRYABLE = new Set(['RATE_LIMITED']);

export class EventQueue {
  readonly #options: Required<Omit<EventQueueOptions, 'onAcknowledged' | 'onRejected'>> & Pick<EventQueueOptions, 'onAcknowledged' | 'onRejected'>;
  readonly #key: string;
  #state: Persisted;
  #sending: Promise<void> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: EventQueueOptions) {
    this.#options = { batchSize: 100, retryMs: 500, maxRetryMs: 5000, now: Date.now, ...options };
    this.#key = `proctor.queue.${options.sessionId}`;
    this.#state = this.#load();
  }

  /** Gives the event its seq, stores it, and starts sending. */
  add(event: DetectedEvent): QueuedEvent {
    const queued: QueuedEvent = {
      seq: this.#nextSeq(),
      type: event.type,
      occurredAt: new Date(event.occurredAt).toISOString(),
      durationMs: Math.max(0, Math.round(event.durationMs)),
      ...(event.confidence !== undefined ? { confidence: event.confidence } : {}),
      ...(event.metadata ? { metadata: event.metadata } : {}),
    };
    this.#state.pending.push(queued);
    this.#save();
    void this.flush();
    return queued;
  }

  get pending(): readonly QueuedEvent[] {
    return this.#state.pending;
  }

  /** Sends what is waiting, batch after batch, until empty or a send fails (then retries later). */
  flush(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#sending ??= this.#drain().finally(() => (this.#sending = undefined));
    return this.#sending;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
  }

  async #drain(): Promise<void> {
    clearTimeout(this.#retryTimer);
    while (!this.#closed && this.#state.pending.length > 0) {
      const batch = this.#state.pending.slice(0, this.#options.batchSize);
      let result: DeliveryResult;
      try {
        result = await this.#options.send(batch);
      } catch {
        this.#scheduleRetry();
        return;
      }
      this.#failures = 0;
      const done = new Set<number>(result.accepted);
      let retryable = false;
      for (const rejection of result.rejected) {
        if (RETRYABLE.has(rejection.code)) {
          retryable = true;
          continue;
        }
        done.add(rejection.seq);
        const event = batch.find((e) => e.seq === rejection.seq);
        if (event) this.#options.onRejected?.(event, rejection);
      }
      this.#state.pending = this.#state.pending.filter((e) => !done.has(e.seq));
      this.#save();
      for (const event of batch) if (result.accepted.includes(event.seq)) this.#options.onAcknowledged?.(event);
      if (retryable) {
        this.#scheduleRetry();
        return;
      }
    }
  }

  #scheduleRetry(): void {
    const delay = Math.min(this.#options.retryMs * 2 ** this.#failures++, this.#options.maxRetryMs);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.flush(), delay);
  }

  /**
   * Monotonic per session, and past any seq an earlier page of this session may have used even
   * when its storage is gone (a new tab resumes the session): at least the 10 ms ticks since the
   * session started, which a lost page's counter cannot have outrun by much. A reused seq would
   * be acknowledged as a repeat and the event silently dropped.
   */
  #nextSeq(): number {
    const ticks = Math.floor((this.#options.now() - this.#options.sessionStartedAt) / 10);
    this.#state.lastSeq = Math.max(this.#state.lastSeq + 1, ticks);
    return this.#state.lastSeq;
  }

  #load(): Persisted {
    try {
      const raw = this.#options.store.getItem(this.#key);
      if (raw) {
        const parsed = JSON.parse(raw) as Persisted;
        if (Number.isInteger(parsed.lastSeq) && Array.isArray(parsed.pending)) return parsed;
      }
    } catch {
      // Unreadable storage: start afresh (the seq rule above still avoids reuse).
    }
    return { lastSeq: -1, pending: [] };
  }

  #save(): void {
    try {
      this.#options.store.setItem(this.#key, JSON.stringify(this.#state));
    } catch {
      // Storage full or disabled: the queue still works in memory for this page.
    }
  }
}
