// Carries channel messages between server processes that share one PostgreSQL server, with
// LISTEN/NOTIFY on a dedicated connection. Not used on the embedded database: it is one process,
// and notifications do not cross its socket connections anyway.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../log.ts';
import type { Channel } from './channel.ts';

const PG_CHANNEL = 'proctor_live';
/**
 * Reconnection delays: soon after a drop (messages NOTIFYed before the LISTEN is back never reach
 * this process), doubling up to a second while the database stays away.
 */
const RECONNECT_DELAY_MS = { first: 100, max: 1_000 };
/** Fields holding instants: JSON carries them as ISO strings. */
const DATE_FIELDS = new Set(['at', 'occurredAt']);

interface Envelope {
  origin: string;
  channel: string;
  key: string;
  message: unknown;
}

export class PgRelay {
  readonly #url: string;
  readonly #logger: Logger;
  readonly #origin = randomUUID();
  readonly #channels = new Map<string, Channel<unknown>>();
  readonly #notify: (payload: string) => Promise<unknown>;
  #listener: pg.Client | undefined;
  #reconnectDelayMs = RECONNECT_DELAY_MS.first;
  #closed = false;

  private constructor(url: string, logger: Logger, notify: (payload: string) => Promise<unknown>) {
    this.#url = url;
    this.#logger = logger;
    this.#notify = notify;
  }

  /**
   * Starts listening, and relays every message published on `channels` to the other processes.
   * `notify` sends one NOTIFY payload through the application's pool.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- channels of different message types; Channel<T> is invariant, and the relay only moves their messages as JSON
  static async create(url: string, logger: Logger, channels: Channel<any>[], notify: (payload: string) => Promise<unknown>): Promise<PgRelay> {
    const relay = new PgRelay(url, logger, notify);
    for (const channel of channels) {
      relay.#channels.set(channel.name, channel);
      channel.relayTo((key, message) => relay.#send(channel.name, key, message));
    }
    await relay.#listen();
    return relay;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#listener?.end().catch(() => {});
  }

  #send(channel: string, key: string, message: unknown): void {
    const envelope: Envelope = { origin: this.#origin, channel, key, message };
    this.#notify(JSON.stringify(envelope)).catch((error: Error) => this.#logger.error({ err: error, channel }, 'NOTIFY failed'));
  }

  /**
   * Opens the LISTEN connection. Once it is listening, its end (a database restart, a dropped
   * connection) starts exactly one reconnection: pg reports a drop as one or more 'error' events
   * followed by one 'end', so reconnecting on each error would open several listeners, and each
   * would deliver every message again.
   */
  async #listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url, application_name: 'proctor-live-relay' });
    client.on('notification', (notification) => this.#receive(notification.payload));
    client.on('error', (error) => this.#logger.warn({ err: error }, 'live relay connection failed'));
    try {
      await client.connect();
      await client.query(`LISTEN ${PG_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    client.once('end', () => {
      if (this.#closed) return;
      this.#logger.warn('live relay connection lost; reconnecting');
      this.#reconnect();
    });
    this.#listener = client;
  }

  #reconnect(): void {
    if (this.#closed) return;
    const delayMs = this.#reconnectDelayMs;
    this.#reconnectDelayMs = Math.min(delayMs * 2, RECONNECT_DELAY_MS.max);
    setTimeout(() => {
      if (this.#closed) return;
      this.#listen().then(
        () => {
          this.#reconnectDelayMs = RECONNECT_DELAY_MS.first;
          this.#logger.info('live relay listening again');
        },
        (error: Error) => {
          this.#logger.warn({ err: error }, 'live relay reconnect failed');
          this.#reconnect();
        },
      );
    }, delayMs).unref();
  }

  #receive(payload: string | undefined): void {
    if (!payload) return;
    const envelope = JSON.parse(payload, (field, value: unknown) => (DATE_FIELDS.has(field) && typeof value === 'string' ? new Date(value) : value)) as Envelope;
    if (envelope.origin === this.#origin) return; // already delivered locally when published
    this.#channels.get(envelope.channel)?.deliver(envelope.key, envelope.message);
  }
}

export const NOTIFY_SQL = `select pg_notify('${PG_CHANNEL}', ?)`;
