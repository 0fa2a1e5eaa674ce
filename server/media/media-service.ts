// Media signaling as the rest of the server sees it: who may do what in an interview's media
// room, and the room's events for the pages that listen. Knows interviews and actors, not
// GraphQL; mediasoup itself stays behind sfu/. It owns the room registry, the stream watch and
// the recordings, and `close()` closes them in turn.
//
// A "peer" is one signaling connection (its id comes from the transport layer): transports,
// producers and consumers belong to it, and go when it closes.
import type { MikroORM } from '@mikro-orm/postgresql';
import type {
  ConsumerOptionsPayload,
  IceTransportPolicyName,
  MediaProducerInfo,
  MediaRoomEvent,
  MediaSource,
  TransportDirection,
  TransportOptionsPayload,
} from '../../contract/media-signaling.ts';
import { SfuError } from '../../sfu/errors.ts';
import type { JsonObject, ProducerStats, RtpCapabilities, TransportStats } from '../../sfu/types.ts';
import type { WorkerPool } from '../../sfu/worker-pool.ts';
import type { Actor } from '../auth/actor.ts';
import { InterviewStatus } from '../db/entities.ts';
import { ConflictError, DomainError, ForbiddenError, InterviewEndedError, LimitExceededError, NotFoundError, ValidationError } from '../errors.ts';
import { Channel } from '../live/channel.ts';
import type { InterviewEvent } from '../live/events.ts';
import type { MonitoringService } from '../live/monitoring.ts';
import type { Logger } from '../log.ts';
import type { MediaSnapshot } from '../metrics.ts';
import type { InterviewService } from '../services/interviews.ts';
import { watchedCandidate, type InterviewRoom, type TaggedProducer } from './interview-room.ts';
import { MediaRooms } from './media-rooms.ts';
import { RecordingManager } from './recording-manager.ts';
import { RecordingStore } from './recording-store.ts';
import { StreamWatch } from './stream-watch.ts';
import type { TurnCredentials } from './turn-credentials.ts';

/** What one signaling connection may hold, and what one recording file may grow to. */
export interface MediaLimits {
  transportsPerPeer: number;
  producersPerPeer: number;
  /** Bits per second each WebRTC transport may receive. */
  maxIncomingBitrate: number;
  recordingMaxBytes: number;
}

export interface MediaOptions {
  orm: MikroORM;
  pool: WorkerPool;
  interviews: InterviewService;
  monitoring: MonitoringService;
  interviewEvents: Channel<InterviewEvent>;
  logger: Logger;
  /** Recordings go to `<dataDir>/recordings/<interviewId>/`. */
  dataDir: string;
  /** The ffmpeg binary; undefined when recording is off (or ffmpeg is missing). */
  ffmpegPath: string | undefined;
  limits: MediaLimits;
  /** Signs each transport's TURN credentials; no TURN servers are handed out without it. */
  turn?: TurnCredentials | undefined;
  /** Handed to the pages with each transport when the server forces one (RELAY: only through TURN). */
  iceTransportPolicy?: IceTransportPolicyName | undefined;
  /** How often producer stats are read (StreamQuality is published every second reading). */
  sampleIntervalMs?: number;
  /** A camera or mic that stays closed, paused or silent this long raises MEDIA_LOST. */
  mediaLostAfterMs?: number;
}

/** Stats every second; StreamQuality every 2 s; MEDIA_LOST after 5 s. */
const DEFAULTS = { sampleIntervalMs: 1000, mediaLostAfterMs: 5000 };
const SOURCE_KIND: Record<MediaSource, 'audio' | 'video'> = { CAMERA: 'video', MIC: 'audio', SCREEN: 'video' };

interface Peer {
  actor: Actor;
  interviews: Set<string>;
}

export class MediaService {
  readonly #options: MediaOptions;
  readonly #rooms: MediaRooms;
  readonly #watch: StreamWatch;
  readonly #recordings: RecordingManager;
  readonly #events = new Channel<MediaRoomEvent>('mediaRoomEvents');
  readonly #peers = new Map<string, Peer>();
  /** Per peer, the tail of its transport / producer creations: one at a time, so a limit check cannot race. */
  readonly #peerQueues = new Map<string, Promise<unknown>>();
  /** Transport, producer and consumer ids → the interview whose room holds them. */
  readonly #objects = new Map<string, string>();

  constructor(options: MediaOptions) {
    this.#options = options;
    const logger = options.logger.child({ component: 'media' });
    const { sampleIntervalMs, mediaLostAfterMs } = { ...DEFAULTS, ...options };
    this.#recordings = new RecordingManager({
      store: new RecordingStore(options.orm),
      logger,
      dataDir: options.dataDir,
      ffmpegPath: options.ffmpegPath,
      maxBytes: options.limits.recordingMaxBytes,
    });
    this.#rooms = new MediaRooms({
      pool: options.pool,
      interviews: options.interviews,
      interviewEvents: options.interviewEvents,
      recordings: this.#recordings,
      logger,
      maxIncomingBitrate: options.limits.maxIncomingBitrate,
    });
    this.#watch = new StreamWatch({
      rooms: this.#rooms,
      orm: options.orm,
      monitoring: options.monitoring,
      interviewEvents: options.interviewEvents,
      logger,
      sampleIntervalMs,
      mediaLostAfterMs,
    });
    this.#rooms.on('opened', (room) => this.#publish(room, 'ROOM_OPENED'));
    this.#rooms.on('producerAdded', (room, producer) => {
      this.#publish(room, 'PRODUCER_ADDED', producer);
      const candidateId = watchedCandidate(producer);
      if (candidateId) this.#watch.watch(room.interviewId, candidateId, producer.tags.source, producer.id);
      this.#recordings.record(room, producer);
    });
    this.#rooms.on('producerClosed', (room, producer) => {
      this.#objects.delete(producer.id);
      void this.#recordings.producerClosed(room, producer.id);
      this.#publish(room, 'PRODUCER_CLOSED', producer);
    });
    this.#rooms.on('gone', (room) => this.#forgetObjects(room.interviewId));
    this.#rooms.on('closed', (interviewId) => {
      this.#watch.forget(interviewId);
      this.#events.publish(interviewId, { kind: 'ROOM_CLOSED', interviewId, reconnect: false, producer: null });
    });
  }

  get recordingEnabled(): boolean {
    return this.#recordings.enabled;
  }

  async routerRtpCapabilities(actor: Actor, peer: string, interviewId: string | null | undefined): Promise<RtpCapabilities> {
    const { room } = await this.#join(actor, peer, interviewId);
    return room.rtpCapabilities;
  }

  async createTransport(actor: Actor, peer: string, interviewId: string | null | undefined, direction: TransportDirection): Promise<TransportOptionsPayload> {
    const { interviewId: id, room } = await this.#join(actor, peer, interviewId);
    return this.#oneAtATime(peer, async () => {
      const limit = this.#options.limits.transportsPerPeer;
      if (room.holdings(peer).transports >= limit) throw new LimitExceededError(`A connection may hold at most ${limit} media transports`, limit);
      const options = await sfu('direction', () => room.createWebRtcTransport(peer, direction === 'SEND' ? 'send' : 'recv'));
      this.#objects.set(options.id, id);
      // Credentials only here, after #join: only a connection admitted to this room gets them,
      // and each transport fresh ones (a page reconnecting after their expiry gets new ones).
      const { turn, iceTransportPolicy } = this.#options;
      return { ...options, iceServers: turn ? [turn.issue(peer)] : [], iceTransportPolicy: iceTransportPolicy ?? null };
    });
  }

  async connectTransport(actor: Actor, peer: string, transportId: string, dtlsParameters: JsonObject): Promise<void> {
    const { room } = await this.#roomOf(actor, peer, transportId, 'Transport');
    await sfu('dtlsParameters', () => room.connectTransport(peer, transportId, dtlsParameters));
  }

  async produce(actor: Actor, peer: string, transportId: string, kind: 'AUDIO' | 'VIDEO', rtpParameters: JsonObject, source: MediaSource): Promise<string> {
    const mediaKind = kind === 'AUDIO' ? 'audio' : 'video';
    if (SOURCE_KIND[source] !== mediaKind) throw new ValidationError('source', `${source} carries ${SOURCE_KIND[source]}, not ${mediaKind}`);
    const { interviewId, room } = await this.#roomOf(actor, peer, transportId, 'Transport');
    const candidateId = actor.kind === 'candidate' ? actor.candidateId : null;
    const tags = { role: candidateId ? ('CANDIDATE' as const) : ('HOST' as const), candidateId, source };
    // Hosts watch the candidate: the candidate's video gets the bandwidth first.
    const priority = candidateId && mediaKind === 'video' ? 'high' : 'normal';
    return this.#oneAtATime(peer, async () => {
      const held = room.holdings(peer).producers;
      const limit = this.#options.limits.producersPerPeer;
      if (held.length >= limit) throw new LimitExceededError(`A connection may send at most ${limit} tracks`, limit);
      // One camera, one mic, one screen: what a candidate sends is what gets watched and recorded.
      if (candidateId && held.some((producer) => producer.tags.source === source)) {
        throw new LimitExceededError(`A candidate sends one ${source} at a time: close the other first`, 1);
      }
      const producer = await sfu('rtpParameters', () => room.produce(peer, transportId, { kind: mediaKind, rtpParameters, tags, priority }));
      this.#objects.set(producer.id, interviewId);
      return producer.id;
    });
  }

  async consume(actor: Actor, peer: string, producerId: string, rtpCapabilities: JsonObject): Promise<ConsumerOptionsPayload> {
    // What a candidate may not receive is "not found", as a producer that does not exist: the
    // answer must not tell it which streams other candidates or interviews have.
    const hidden = () => new NotFoundError('Producer', producerId);
    if (actor.kind === 'candidate' && this.#objects.get(producerId) !== actor.interviewId) throw hidden();
    const { interviewId, room } = await this.#roomOf(actor, peer, producerId, 'Producer');
    const producer = room.producer(producerId);
    if (producer && !mayReceive(actor, producerInfo(producer))) throw hidden();
    const consumer = await sfu('rtpCapabilities', () => room.consume(peer, producerId, rtpCapabilities));
    this.#objects.set(consumer.id, interviewId);
    return { id: consumer.id, producerId, kind: kindName(consumer.kind), rtpParameters: consumer.rtpParameters, source: consumer.tags.source };
  }

  async resumeConsumer(actor: Actor, peer: string, consumerId: string): Promise<void> {
    const { room } = await this.#roomOf(actor, peer, consumerId, 'Consumer');
    await sfu('consumerId', () => room.resumeConsumer(peer, consumerId));
  }

  async closeProducer(actor: Actor, peer: string, producerId: string): Promise<void> {
    const { room } = await this.#roomOf(actor, peer, producerId, 'Producer');
    await sfu('producerId', async () => room.closeProducer(peer, producerId));
  }

  /**
   * The room's events for one interview: first what is there now (ROOM_OPENED and a
   * PRODUCER_ADDED per stream when it is LIVE), then changes. Returns the function that stops.
   */
  async listen(actor: Actor, interviewId: string | null | undefined, listener: (event: MediaRoomEvent) => void): Promise<() => void> {
    const id = await this.#authorize(actor, interviewId);
    // A LIVE interview whose room is not open here (say, after a server restart) opens it now,
    // so a page that subscribes always hears ROOM_OPENED.
    const live = (await this.#options.interviews.statusOf(id)) === InterviewStatus.LIVE;
    const open = await (live ? this.#rooms.open(id).catch(() => undefined) : this.#rooms.find(id));
    const visible = (event: MediaRoomEvent) => {
      if (mayReceive(actor, event.producer)) listener(event);
    };
    if (open && !open.room.closed) {
      visible({ kind: 'ROOM_OPENED', interviewId: id, reconnect: false, producer: null });
      for (const producer of open.room.producers()) visible({ kind: 'PRODUCER_ADDED', interviewId: id, reconnect: false, producer: producerInfo(producer) });
    }
    return this.#events.listen(id, visible);
  }

  /** Subscriptions to the interview's room events in this process. */
  listenerCount(interviewId: string): number {
    return this.#events.listenerCount(interviewId);
  }

  /** Subscriptions to every room's events in this process. */
  totalListeners(): number {
    return this.#events.totalListeners();
  }

  /** A signaling connection closed: its transports (and so producers, consumers) go. */
  async peerLeft(peer: string): Promise<void> {
    const joined = this.#peers.get(peer);
    this.#peers.delete(peer);
    for (const interviewId of joined?.interviews ?? []) {
      const open = await this.#rooms.find(interviewId);
      open?.room.closePeer(peer);
    }
  }

  /** Producer stats of an interview's room (diagnostics, tests, benches). */
  async producerStats(interviewId: string): Promise<{ producer: MediaProducerInfo; stats: ProducerStats[] }[]> {
    const open = await this.#rooms.find(interviewId);
    if (!open) return [];
    return Promise.all(open.room.producers().map(async (producer) => ({ producer: producerInfo(producer), stats: await open.room.producerStats(producer.id) })));
  }

  /** Transport stats of an interview's room (diagnostics, tests). */
  async transportStats(interviewId: string): Promise<TransportStats[]> {
    const open = await this.#rooms.find(interviewId);
    return open ? open.room.transportStats() : [];
  }

  /** Counts for the metrics endpoint (read at scrape time). */
  snapshot(): MediaSnapshot {
    const { pool } = this.#options;
    return { workers: pool.workers().length, workerRestarts: pool.restarts, ...this.#rooms.counts(), recordings: this.#recordings.active };
  }

  /** The worker processes now (diagnostics; the crash-survival test kills one). */
  workerPids(): number[] {
    return this.#options.pool.workers().map((worker) => worker.pid);
  }

  /** Stops sampling, finalizes every recording and closes the rooms. */
  async close(): Promise<void> {
    this.#watch.close();
    await this.#rooms.close();
  }

  #publish(room: InterviewRoom, kind: MediaRoomEvent['kind'], producer: TaggedProducer | null = null): void {
    this.#events.publish(room.interviewId, { kind, interviewId: room.interviewId, reconnect: room.reconnect, producer: producer && producerInfo(producer) });
  }

  /** Runs a peer's creations one after another (each checks the peer's limits, then creates). */
  #oneAtATime<T>(peer: string, task: () => Promise<T>): Promise<T> {
    const run = (this.#peerQueues.get(peer) ?? Promise.resolve()).then(task);
    const tail = run.catch(() => {});
    this.#peerQueues.set(peer, tail);
    void tail.then(() => {
      if (this.#peerQueues.get(peer) === tail) this.#peerQueues.delete(peer);
    });
    return run;
  }

  /** Authorizes, opens the room if needed, and remembers the peer is in it. */
  async #join(actor: Actor, peer: string, interviewId: string | null | undefined): Promise<InterviewRoom> {
    const id = await this.#authorize(actor, interviewId);
    const status = await this.#options.interviews.statusOf(id);
    if (status === InterviewStatus.COMPLETED || status === InterviewStatus.ARCHIVED) throw new InterviewEndedError(id);
    if (status !== InterviewStatus.LIVE) {
      throw new ConflictError(`The media room opens when the interview is LIVE (it is ${status}); wait for ROOM_OPENED on mediaRoomEvents`, { status });
    }
    const open = await this.#rooms.open(id);
    let joined = this.#peers.get(peer);
    if (!joined) this.#peers.set(peer, (joined = { actor, interviews: new Set() }));
    joined.interviews.add(id);
    return open;
  }

  /** The room holding a transport / producer / consumer, once the caller may act in it. */
  async #roomOf(actor: Actor, peer: string, objectId: string, what: string): Promise<InterviewRoom> {
    const interviewId = this.#objects.get(objectId);
    if (!interviewId) throw new NotFoundError(what, objectId);
    return this.#join(actor, peer, interviewId);
  }

  /**
   * The interview the actor may use: a join link only its own (Forbidden otherwise), a host or
   * API token any of its org's (another org's is "not found", as everywhere in the API).
   */
  async #authorize(actor: Actor, interviewId: string | null | undefined): Promise<string> {
    if (actor.kind === 'candidate') {
      if (interviewId && interviewId !== actor.interviewId) throw new ForbiddenError("A join link can only use its own interview's media room");
      return actor.interviewId;
    }
    if (!interviewId) throw new ValidationError('interviewId', 'is required for hosts and API tokens');
    return (await this.#options.interviews.get(actor, interviewId)).id;
  }

  /** The room's transports, producers and consumers went with it. */
  #forgetObjects(interviewId: string): void {
    for (const [id, owner] of this.#objects) if (owner === interviewId) this.#objects.delete(id);
  }
}

/**
 * A candidate receives, and hears of, only the hosts' streams of its own interview (never another
 * candidate's); hosts and API tokens everything in their org's rooms.
 */
function mayReceive(actor: Actor, producer: MediaProducerInfo | null): boolean {
  return actor.kind !== 'candidate' || producer === null || producer.role === 'HOST';
}

function kindName(kind: 'audio' | 'video'): 'AUDIO' | 'VIDEO' {
  return kind === 'audio' ? 'AUDIO' : 'VIDEO';
}

function producerInfo({ id, kind, paused, tags }: TaggedProducer): MediaProducerInfo {
  return { producerId: id, kind: kindName(kind), source: tags.source, role: tags.role, candidateId: tags.candidateId, paused };
}

/** Runs an SFU call, turning its refusals into domain errors (an invalid parameter is the field's fault). */
async function sfu<T>(field: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof SfuError) {
      if (error.reason === 'NOT_FOUND') throw new NotFoundError(error.message);
      throw error.reason === 'CLOSED' ? new ConflictError(error.message) : new ValidationError(field, error.message);
    }
    throw error;
  }
}
