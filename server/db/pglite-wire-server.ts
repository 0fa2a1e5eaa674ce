// A PostgreSQL wire-protocol front for PGlite that lets many client connections share its one
// backend session without stepping on each other.
//
// PGlite is a single backend: every connection talks to the same session. A connection therefore
// *owns* the backend from its first message until the backend answers ReadyForQuery with status
// idle — after a whole simple query or extended-protocol sequence (Parse … Sync) outside a
// transaction, or after the COMMIT/ROLLBACK that ends its transaction — and the others wait their
// turn in order. Handing the backend over between single messages instead (what
// @electric-sql/pglite-socket does) lets a second connection's query land inside the first one's
// extended-protocol sequence, where the backend silently skips it after an error: that client never
// gets an answer.
//
// Waiting is bounded: a connection that waits longer than `waitTimeoutMs` gets an error
// (SQLSTATE 57014, as a PostgreSQL statement timeout does), and an owner that keeps the session
// idle for longer than that while others wait is disconnected and its transaction rolled back.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
/** Frontend messages after which the backend answers ReadyForQuery. */
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
const PASSWORD = 0x70; // 'p'
const PARSE = 0x50; // 'P'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'

export interface WireStall {
  /** What the failed connection was waiting for, for the log. */
  reason: 'wait-timeout' | 'idle-owner';
  waitedMs: number;
  /** The connection that held the session, and the last statement it ran. */
  holder: { id: number; application: string; inTransaction: boolean; lastStatement: string };
  victim: { id: number; application: string };
}

export interface WireServerOptions {
  db: PGlite;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, clients must send it (cleartext over loopback) before the session is theirs. */
  password?: string | undefined;
  waitTimeoutMs: number;
  /** Told of every connection failed to keep the others moving. */
  onStall?: (stall: WireStall) => void;
}

class WireConnection {
  readonly id: number;
  readonly socket: Socket;
  phase: 'startup' | 'password' | 'ready' | 'closed' = 'startup';
  application = '';
  /** Complete frontend messages not yet given to the backend. */
  readonly pending: Buffer[] = [];
  /** The startup message, kept while the password is checked. */
  startup: Buffer | undefined;
  /** Backend transaction status from the last ReadyForQuery this connection caused. */
  status = IDLE;
  /** Messages of an unfinished sequence have reached the backend (no ReadyForQuery yet). */
  midSequence = false;
  /** After a failed wait, the rest of an unfinished sequence is dropped until its Sync. */
  discardUntilSync = false;
  lastStatement = '';
  /** When it started waiting for the backend, or (as owner) when it last gave it work. */
  since = 0;
  #buffer: Buffer = Buffer.alloc(0);

  constructor(id: number, socket: Socket) {
    this.id = id;
    this.socket = socket;
  }

  /** Splits received bytes into whole messages; returns them in order. */
  receive(data: Buffer): Buffer[] {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, data]) : data;
    const messages: Buffer[] = [];
    for (;;) {
      // Startup-phase messages have no type byte: just a length.
      const typed = this.phase !== 'startup';
      const header = typed ? 5 : 4;
      if (this.#buffer.length < header) break;
      const length = typed ? 1 + this.#buffer.readInt32BE(1) : this.#buffer.readInt32BE(0);
      if (length < header - (typed ? 1 : 0) || this.#buffer.length < length) break;
      messages.push(this.#buffer.subarray(0, length));
      this.#buffer = this.#buffer.subarray(length);
      if (!typed) break; // the phase changes after a startup message: parse the rest later
    }
    return messages;
  }

  /**
   * The next unit of work for the backend: pending messages up to and including the first one
   * the backend answers with ReadyForQuery, or all of them when that has not arrived yet.
   */
  takeUnit(): Buffer[] | 'terminate' | undefined {
    if (this.pending.length === 0) return undefined;
    if (this.pending[0]![0] === TERMINATE) return 'terminate';
    let end = 0;
    while (end < this.pending.length) {
      const type = this.pending[end]![0];
      if (type === TERMINATE) break;
      end++;
      if (type === SYNC || type === QUERY || type === 0) break;
    }
    return this.pending.splice(0, end);
  }

  write(data: Uint8Array): void {
    if (this.phase !== 'closed' && this.socket.writable) this.socket.write(data);
  }
}

/** Work that needs the backend to itself between two connections' turns (a consistent copy of the data). */
class ExclusiveTask {
  readonly run: () => Promise<void>;
  constructor(run: () => Promise<void>) {
    this.run = run;
  }
}

export class PGliteWireServer {
  readonly #db: PGlite;
  readonly #server: Server;
  readonly #options: WireServerOptions;
  readonly #connections = new Set<WireConnection>();
  /** Connections with work (and exclusive tasks), waiting for the backend, in arrival order. */
  readonly #queue: (WireConnection | ExclusiveTask)[] = [];
  #owner: WireConnection | undefined;
  #pumping = false;
  #watchdog: NodeJS.Timeout | undefined;
  #nextId = 1;
  #closed = false;

  private constructor(options: WireServerOptions) {
    this.#db = options.db;
    this.#options = options;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  static async create(options: WireServerOptions): Promise<PGliteWireServer> {
    const wire = new PGliteWireServer(options);
    await new Promise<void>((resolve, reject) => {
      wire.#server.once('error', reject);
      wire.#server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    return wire;
  }

  /** host:port the server listens on. */
  get address(): string {
    const { address, port } = this.#server.address() as AddressInfo;
    return `${address}:${port}`;
  }

  /** Connections currently waiting for the backend (for tests and metrics). */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Runs `task` when no connection holds the backend (no transaction open, no sequence half
   * sent), taking its turn in the queue like a connection; others wait until it is done.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the embedded database is closing'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(new ExclusiveTask(() => task().then(resolve, reject)));
      this.#watch();
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watchdog);
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections) connection.socket.destroy();
    await stopped;
    // Let a statement that is running finish before the caller closes the database.
    while (this.#pumping) await new Promise((resolve) => setImmediate(resolve));
  }

  #accept(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const connection = new WireConnection(this.#nextId++, socket);
    this.#connections.add(connection);
    socket.on('data', (data: Buffer) => this.#receive(connection, data));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#disconnect(connection));
  }

  #receive(connection: WireConnection, data: Buffer): void {
    let messages = connection.receive(data);
    while (messages.length > 0 && connection.phase !== 'closed') {
      for (const message of messages) this.#handle(connection, message);
      // A startup message changes how the bytes after it are framed: parse them now.
      messages = connection.receive(Buffer.alloc(0));
    }
    this.#pump();
  }

  #handle(connection: WireConnection, message: Buffer): void {
    switch (connection.phase) {
      case 'startup': {
        const code = message.length >= 8 ? message.readInt32BE(4) : 0;
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          connection.write(Buffer.from('N'));
        } else if (code === PROTOCOL_3) {
          connection.application = startupParameter(message, 'application_name') ?? '';
          if (this.#options.password === undefined) {
            connection.phase = 'ready';
            this.#enqueue(connection, message);
          } else {
            connection.startup = message;
            connection.phase = 'password';
            connection.write(authenticationRequest(3)); // cleartext password
          }
        } else {
          // A cancel request (there is no backend process to signal) or something unknown.
          connection.socket.end();
        }
        return;
      }
      case 'password': {
        if (message[0] === PASSWORD && passwordMatches(message, this.#options.password!)) {
          connection.phase = 'ready';
          this.#enqueue(connection, connection.startup!);
          connection.startup = undefined;
        } else {
          connection.write(errorResponse('FATAL', '28P01', 'password authentication failed for the embedded database'));
          connection.socket.end();
          connection.phase = 'closed';
        }
        return;
      }
      case 'ready': {
        if (connection.discardUntilSync) {
          if (message[0] === SYNC || message[0] === QUERY) {
            connection.discardUntilSync = false;
            if (message[0] === SYNC) connection.write(readyForQuery(IDLE));
            else this.#enqueue(connection, message);
          }
          return;
        }
        this.#enqueue(connection, message);
        return;
      }
      case 'closed':
        return;
    }
  }

  #enqueue(connection: WireConnection, message: Buffer): void {
    connection.pending.push(message);
    if (connection !== this.#owner && !this.#queue.includes(connection)) {
      connection.since = Date.now();
      this.#queue.push(connection);
    }
    this.#watch();
  }

  /** Gives the backend to one connection at a time, unit by unit. Never runs twice at once. */
  #pump(): void {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    void this.#drain().finally(() => {
      this.#pumping = false;
    });
  }

  async #drain(): Promise<void> {
    while (!this.#closed) {
      if (!this.#owner) {
        const next = this.#queue.shift();
        if (!next) return;
        if (next instanceof ExclusiveTask) {
          await next.run();
          continue;
        }
        this.#owner = next;
      }
      const owner = this.#owner;
      if (owner.phase === 'closed') {
        await this.#release(owner);
        continue;
      }
      const unit = owner.takeUnit();
      if (unit === undefined) {
        if (owner.midSequence || owner.status !== IDLE) return; // holds the session: wait for its next message
        this.#owner = undefined;
        continue;
      }
      if (unit === 'terminate') {
        owner.phase = 'closed';
        owner.socket.end();
        await this.#release(owner);
        continue;
      }
      owner.since = Date.now();
      owner.lastStatement = describeUnit(unit) || owner.lastStatement;
      let status: number | undefined;
      try {
        status = await this.#execute(Buffer.concat(unit), (data) => owner.write(data));
      } catch (error) {
        // The backend itself failed (closing, or a crash): this client cannot continue.
        owner.write(errorResponse('FATAL', '58000', `embedded database failure: ${(error as Error).message}`));
        owner.phase = 'closed';
        owner.socket.destroy();
        this.#owner = undefined;
        continue;
      }
      owner.since = Date.now();
      if (status === undefined) {
        owner.midSequence = true;
      } else {
        owner.midSequence = false;
        owner.status = status;
      }
      if (!owner.midSequence && owner.status === IDLE) {
        this.#owner = undefined;
        if (owner.pending.length > 0) {
          owner.since = Date.now();
          this.#queue.push(owner);
        }
      }
    }
  }

  /** Runs messages on the backend; returns the last ReadyForQuery status it sent, if any. */
  async #execute(messages: Buffer, send: (data: Uint8Array) => void): Promise<number | undefined> {
    const scanner = new ReadyForQueryScanner();
    await this.#db.runExclusive(() =>
      this.#db.execProtocolRawStream(messages, {
        onRawData: (data) => {
          scanner.scan(data);
          send(data);
        },
      }),
    );
    return scanner.status;
  }

  /** Ends whatever a departing owner left open, so the next connection starts clean. */
  async #release(connection: WireConnection): Promise<void> {
    if (this.#owner !== connection) return;
    try {
      if (connection.midSequence) await this.#execute(message(SYNC, Buffer.alloc(0)), () => {});
      if (this.#db.isInTransaction()) await this.#execute(message(QUERY, cString('ROLLBACK')), () => {});
    } finally {
      connection.midSequence = false;
      connection.status = IDLE;
      this.#owner = undefined;
    }
  }

  #disconnect(connection: WireConnection): void {
    connection.phase = 'closed';
    connection.pending.length = 0;
    this.#connections.delete(connection);
    const queued = this.#queue.indexOf(connection);
    if (queued >= 0) this.#queue.splice(queued, 1);
    // The drain loop ends what a closed owner left open (after the unit in flight, if any).
    if (this.#owner === connection) this.#pump();
  }

  #watch(): void {
    if (this.#watchdog || this.#closed) return;
    const period = Math.max(50, Math.min(1000, this.#options.waitTimeoutMs / 4));
    this.#watchdog = setInterval(() => this.#enforceDeadlines(), period);
    this.#watchdog.unref();
  }

  #enforceDeadlines(): void {
    if (this.#queue.length === 0) {
      clearInterval(this.#watchdog);
      this.#watchdog = undefined;
      return;
    }
    const now = Date.now();
    const limit = this.#options.waitTimeoutMs;
    const owner = this.#owner;
    // An owner holding the session (an open transaction) with nothing to run while others wait
    // is ended first, as PostgreSQL's idle_in_transaction_session_timeout would: the waiters then
    // go ahead. Typically a request waits, inside its transaction, for a query on another
    // connection that waits for that transaction.
    if (owner && !this.#pumping && owner.pending.length === 0 && now - owner.since >= limit) {
      this.#options.onStall?.({ reason: 'idle-owner', waitedMs: now - owner.since, holder: this.#describe(owner), victim: { id: owner.id, application: owner.application } });
      owner.write(errorResponse('FATAL', '25P03', `terminating connection: it held the embedded database idle for ${now - owner.since} ms while others waited`));
      owner.phase = 'closed';
      owner.socket.destroy();
      this.#pump();
      return;
    }
    // Otherwise the backend is busy with a queue longer than anyone should wait: shed the oldest.
    for (const waiter of [...this.#queue]) {
      if (waiter instanceof WireConnection && now - waiter.since >= limit) this.#failWaiter(waiter, now - waiter.since);
    }
  }

  /** Answers every whole request of a waiter with an error, drops the rest of its sequence. */
  #failWaiter(waiter: WireConnection, waitedMs: number): void {
    this.#queue.splice(this.#queue.indexOf(waiter), 1);
    const holder = this.#owner;
    if (holder) this.#options.onStall?.({ reason: 'wait-timeout', waitedMs, holder: this.#describe(holder), victim: { id: waiter.id, application: waiter.application } });
    const text = `canceling statement: waited ${waitedMs} ms for the embedded database, held by another connection${holder?.status !== IDLE ? ' in a transaction' : ''}`;
    const messages = waiter.pending.splice(0);
    if (messages[0]?.[0] === 0) {
      waiter.write(errorResponse('FATAL', '57014', text));
      waiter.socket.end();
      waiter.phase = 'closed';
      return;
    }
    let errorSent = false;
    for (const pending of messages) {
      if (!errorSent) waiter.write(errorResponse('ERROR', '57014', text));
      errorSent = true;
      if (pending[0] === SYNC || pending[0] === QUERY) {
        waiter.write(readyForQuery(IDLE));
        errorSent = false;
      }
    }
    if (errorSent) waiter.discardUntilSync = true;
  }

  #describe(connection: WireConnection): WireStall['holder'] {
    return { id: connection.id, application: connection.application, inTransaction: connection.status !== IDLE, lastStatement: connection.lastStatement };
  }
}

/** Follows backend messages across chunks and remembers the last ReadyForQuery status. */
class ReadyForQueryScanner {
  status: number | undefined;
  /** Bytes of the current message still to skip, or -1 while its header is incomplete. */
  #skip = 0;
  #header: number[] = [];

  scan(data: Uint8Array): void {
    let offset = 0;
    while (offset < data.length) {
      if (this.#skip > 0) {
        const step = Math.min(this.#skip, data.length - offset);
        this.#skip -= step;
        offset += step;
        continue;
      }
      this.#header.push(data[offset++]!);
      if (this.#header.length < 6 && !(this.#header.length === 5 && this.#header[0] !== READY_FOR_QUERY)) continue;
      const [type, a, b, c, d] = this.#header as [number, number, number, number, number];
      const length = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
      if (type === READY_FOR_QUERY) {
        this.status = this.#header[5];
        this.#skip = length - 5;
      } else {
        this.#skip = length - 4;
      }
      this.#header = [];
    }
  }
}

function message(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function cString(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

function readyForQuery(status: number): Buffer {
  return message(READY_FOR_QUERY, Buffer.from([status]));
}

function authenticationRequest(method: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeInt32BE(method);
  return message(0x52, body); // 'R'
}

function errorResponse(severity: 'ERROR' | 'FATAL', code: string, text: string): Buffer {
  const field = (tag: string, value: string) => Buffer.concat([Buffer.from(tag), cString(value)]);
  return message(0x45, Buffer.concat([field('S', severity), field('V', severity), field('C', code), field('M', text), Buffer.from([0])]));
}

function startupParameter(startup: Buffer, name: string): string | undefined {
  const parts = startup.subarray(8).toString('utf8').split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i] === name) return parts[i + 1];
  return undefined;
}

function passwordMatches(packet: Buffer, expected: string): boolean {
  const given = packet.subarray(5, packet.length - 1);
  const wanted = Buffer.from(expected, 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** The SQL of a unit's simple query or Parse, shortened, for stall logs. */
function describeUnit(unit: Buffer[]): string {
  for (const part of unit) {
    if (part[0] === QUERY) return part.subarray(5, Math.min(part.length - 1, 205)).toString('utf8');
    // Parse: name\0 query\0 …
    if (part[0] === PARSE) {
      const body = part.subarray(5);
      const start = body.indexOf(0) + 1;
      const end = body.indexOf(0, start);
      return body.subarray(start, Math.min(end, start + 200)).toString('utf8');
    }
  }
  return '';
}
