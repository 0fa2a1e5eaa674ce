// The SFU as the rest of the server sees it: a media room per LIVE interview, who may do what in
// it, stream quality and MEDIA_LOST measured on the candidate's streams, and recordings.
// Knows interviews and actors, not GraphQL; mediasoup itself stays behind sfu/.
//
// A "peer" is one signaling connection (its id comes from the transport layer): transports,
// producers and consumers belong to it, and go when it closes.
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { types } from 'mediasoup';
import type { MediaProducerInfo, MediaRole, MediaRoomEvent, MediaSource, TransportDirection } from '../../schema/media-signaling.ts';
import { SfuError } from '../../sfu/errors.ts';
import { Room } from '../../sfu/room.ts';
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
import { qualityOf, saveQualitySample, type ProducerSample } from './quality.ts';
import { Recording, type RecordingEnd } from './recording.ts';

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
  /** How often producer stats are read (StreamQuality is published every second reading). */
  sampleIntervalMs?: number;
  /** A camera or mic that stays closed, paused or silent this long raises MEDIA_LOST. */
  mediaLostAfterMs?: number;
}

/** Stats every second; StreamQuality every 2 s; MEDIA_LOST after 5 s (seed §4 and §7). */
const DEFAULTS = { sampleIntervalMs: 1000, mediaLostAfterMs: 5000 };
/** Producers of a candidate arriving within this window go into the same recording file. */
const RECORDING_SETTLE_MS = 1000;
const WATCHED_SOURCES: readonly MediaSource[] = ['CAMERA', 'MIC'];
const SOURCE_KIND: Record<MediaSource, types.MediaKind> = { CAMERA: 'video', MIC: 'audio', SCREEN: 'video' };

interface ProducerData {
  role: MediaRole;
  candidateId: string | null;
  source: MediaSource;
  priority: 'high' | 'normal';
  [key: string]: unknown;
}

/** Whether one of a candidate's watched sources is flowing. */
interface SourceWatch {
  interviewId: string;
  candidateId: string;
  source: MediaSource;
  producerId: string | undefined;
  bytes: number;
  lastFlowAt: number;
  lost: boolean;
}

interface RoomState {
  interviewId: string;
  room: Room;
  /** Stops listening for the interview's status changes. */
  unlisten: () => void;
  recordings: Map<string, Promise<Recording | undefined>>;
  recordingTimers: Map<string, NodeJS.Timeout>;
}

interface Peer {
  actor: Actor;
  interviews: Set<string>;
}

export class MediaService {
  readonly #options: MediaOptions & typeof DEFAULTS;
  readonly #logger: Logger;
  readonly #rooms = new Map<string, Promise<RoomState>>();
  readonly #events = new Channel<MediaRoomEvent>('mediaRoomEvents');
  readonly #peers = new Map<string, Peer>();
  /** Per peer, the tail of its transport / producer creations: one at a time, so a limit check cannot race. */
  readonly #peerQueues = new Map<string, Promise<unknown>>();
  /** Each recording is finalized once, whoever asks first (its size cap, a producer change, the room's end). */
  readonly #finishing = new WeakMap<Recording, Promise<void>>();
  /** Transport, producer and consumer ids → the interview whose room holds them. */
  readonly #objects = new Map<string, string>();
  /** `${candidateId}/${source}` → its watch, kept across room re-creation. */
  readonly #watches = new Map<string, SourceWatch>();
  readonly #ticker: NodeJS.Timeout;
  /** For the metrics: rooms open now, recordings being written. */
  readonly #openRooms = new Set<Room>();
  #activeRecordings = 0;
  #ticks = 0;
  #sampling = false;
  #closed = false;

  constructor(options: MediaOptions) {
    this.#options = { ...DEFAULTS, ...options };
    this.#logger = options.logger.child({ component: 'media' });
    this.#ticker = setInterval(() => void this.#sample(), this.#options.sampleIntervalMs).unref();
    // Opening reacts to this process's startInterview (another process's start opens the room
    // here when a peer first joins); closing to every end, this process's or relayed.
    options.interviewEvents.listenToAll((interviewId, event, relayed) => {
      if (!relayed && event.kind === 'InterviewStatusChanged' && event.status === InterviewStatus.LIVE) {
        void this.#open(interviewId).catch((error) => this.#logger.error({ err: error, interviewId }, 'cannot open the media room'));
      }
    });
  }

  get recordingEnabled(): boolean {
    return this.#options.ffmpegPath !== undefined;
  }

  async routerRtpCapabilities(actor: Actor, peer: string, interviewId: string | null | undefined): Promise<types.RouterRtpCapabilities> {
    const state = await this.#join(actor, peer, interviewId);
    return state.room.rtpCapabilities;
  }

  async createTransport(actor: Actor, peer: string, interviewId: string | null | undefined, direction: TransportDirection) {
    const state = await this.#join(actor, peer, interviewId);
    return this.#oneAtATime(peer, async () => {
      const limit = this.#options.limits.transportsPerPeer;
      if (state.room.holdings(peer).transports >= limit) throw new LimitExceededError(`A connection may hold at most ${limit} media transports`, limit);
      const options = await sfu('direction', () => state.room.createWebRtcTransport(peer, direction === 'SEND' ? 'send' : 'recv'));
      this.#objects.set(options.id, state.interviewId);
      return options;
    });
  }

  async connectTransport(actor: Actor, peer: string, transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    const state = await this.#stateOf(actor, peer, transportId, 'Transport');
    await sfu('dtlsParameters', () => state.room.connectTransport(peer, transportId, dtlsParameters as unknown as types.DtlsParameters));
  }

  async produce(actor: Actor, peer: string, transportId: string, kind: 'AUDIO' | 'VIDEO', rtpParameters: Record<string, unknown>, source: MediaSource): Promise<string> {
    const mediaKind = kind === 'AUDIO' ? 'audio' : 'video';
    if (SOURCE_KIND[source] !== mediaKind) throw new ValidationError('source', `${source} carries ${SOURCE_KIND[source]}, not ${mediaKind}`);
    const state = await this.#stateOf(actor, peer, transportId, 'Transport');
    const candidateId = actor.kind === 'candidate' ? actor.candidateId : null;
    const appData: ProducerData = {
      role: candidateId ? 'CANDIDATE' : 'HOST',
      candidateId,
      source,
      // Hosts watch the candidate: the candidate's video gets the bandwidth first.
      priority: candidateId && mediaKind === 'video' ? 'high' : 'normal',
    };
    return this.#oneAtATime(peer, async () => {
      const held = state.room.holdings(peer).producers;
      const limit = this.#options.limits.producersPerPeer;
      if (held.length >= limit) throw new LimitExceededError(`A connection may send at most ${limit} tracks`, limit);
      // One camera, one mic, one screen: what a candidate sends is what gets watched and recorded.
      if (candidateId && held.some((producer) => (producer.appData as ProducerData).source === source)) {
        throw new LimitExceededError(`A candidate sends one ${source} at a time: close the other first`, 1);
      }
      const producer = await sfu('rtpParameters', () => state.room.produce(peer, transportId, mediaKind, rtpParameters as unknown as types.RtpParameters, appData));
      this.#objects.set(producer.id, state.interviewId);
      producer.observer.once('close', () => this.#objects.delete(producer.id));
      return producer.id;
    });
  }

  async consume(actor: Actor, peer: string, producerId: string, rtpCapabilities: Record<string, unknown>) {
    // What a candidate may not receive is "not found", as a producer that does not exist: the
    // answer must not tell it which streams other candidates or interviews have.
    const hidden = () => new NotFoundError('Producer', producerId);
    if (actor.kind === 'candidate' && this.#objects.get(producerId) !== actor.interviewId) throw hidden();
    const state = await this.#stateOf(actor, peer, producerId, 'Producer');
    const producer = state.room.producer(producerId);
    if (producer && !mayReceive(actor, producerInfo(producer))) throw hidden();
    const options = await sfu('rtpCapabilities', () => state.room.consume(peer, producerId, rtpCapabilities as unknown as types.RtpCapabilities));
    this.#objects.set(options.id, state.interviewId);
    return { ...options, kind: options.kind === 'audio' ? ('AUDIO' as const) : ('VIDEO' as const), source: (options.appData as ProducerData).source };
  }

  async resumeConsumer(actor: Actor, peer: string, consumerId: string): Promise<void> {
    const state = await this.#stateOf(actor, peer, consumerId, 'Consumer');
    await sfu('consumerId', () => state.room.resumeConsumer(peer, consumerId));
  }

  async closeProducer(actor: Actor, peer: string, producerId: string): Promise<void> {
    const state = await this.#stateOf(actor, peer, producerId, 'Producer');
    await sfu('producerId', async () => state.room.closeProducer(peer, producerId));
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
    const state = await (live ? this.#open(id) : this.#rooms.get(id))?.catch(() => undefined);
    const visible = (event: MediaRoomEvent) => {
      if (mayReceive(actor, event.producer)) listener(event);
    };
    if (state && !state.room.closed) {
      visible({ kind: 'ROOM_OPENED', interviewId: id, reconnect: false, producer: null });
      for (const producer of state.room.producers()) visible({ kind: 'PRODUCER_ADDED', interviewId: id, reconnect: false, producer: producerInfo(producer) });
    }
    return this.#events.listen(id, visible);
  }

  /** Subscriptions to the interview's room events in this process. */
  listenerCount(interviewId: string): number {
    return this.#events.listenerCount(interviewId);
  }

  /** A signaling connection closed: its transports (and so producers, consumers) go. */
  async peerLeft(peer: string): Promise<void> {
    const joined = this.#peers.get(peer);
    this.#peers.delete(peer);
    for (const interviewId of joined?.interviews ?? []) {
      const state = await this.#rooms.get(interviewId)?.catch(() => undefined);
      state?.room.closePeer(peer);
    }
  }

  /** Producer stats of an interview's room (diagnostics, tests, benches). */
  async producerStats(interviewId: string): Promise<{ producer: MediaProducerInfo; stats: types.ProducerStat[] }[]> {
    const state = await this.#rooms.get(interviewId)?.catch(() => undefined);
    if (!state) return [];
    return Promise.all(state.room.producers().map(async (producer) => ({ producer: producerInfo(producer), stats: await producer.getStats() })));
  }

  /** Transport stats of an interview's room (diagnostics, tests). */
  async transportStats(interviewId: string): Promise<types.WebRtcTransportStat[]> {
    const state = await this.#rooms.get(interviewId)?.catch(() => undefined);
    return state ? state.room.transportStats() : [];
  }

  /** Counts for the metrics endpoint (read at scrape time). */
  snapshot(): MediaSnapshot {
    const rooms = [...this.#openRooms].filter((room) => !room.closed);
    return {
      workers: this.#options.pool.workers().length,
      workerRestarts: this.#options.pool.restarts,
      rooms: rooms.length,
      producers: rooms.reduce((sum, room) => sum + room.producers().length, 0),
      recordings: this.#activeRecordings,
    };
  }

  /** The worker processes now (diagnostics; the crash-survival test kills one). */
  workerPids(): number[] {
    return this.#options.pool.workers().map((slot) => slot.worker.pid);
  }

  /** Stops sampling, finalizes every recording and closes the rooms. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#ticker);
    await Promise.all([...this.#rooms.keys()].map((interviewId) => this.#closeRoom(interviewId)));
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
  async #join(actor: Actor, peer: string, interviewId: string | null | undefined): Promise<RoomState> {
    const id = await this.#authorize(actor, interviewId);
    const status = await this.#options.interviews.statusOf(id);
    if (status === InterviewStatus.COMPLETED || status === InterviewStatus.ARCHIVED) throw new InterviewEndedError(id);
    if (status !== InterviewStatus.LIVE) {
      throw new ConflictError(`The media room opens when the interview is LIVE (it is ${status}); wait for ROOM_OPENED on mediaRoomEvents`, { status });
    }
    const state = await this.#open(id);
    let joined = this.#peers.get(peer);
    if (!joined) this.#peers.set(peer, (joined = { actor, interviews: new Set() }));
    joined.interviews.add(id);
    return state;
  }

  /** The room holding a transport / producer / consumer, once the caller may act in it. */
  async #stateOf(actor: Actor, peer: string, objectId: string, what: string): Promise<RoomState> {
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

  #open(interviewId: string): Promise<RoomState> {
    let state = this.#rooms.get(interviewId);
    if (!state) {
      state = this.#create(interviewId, false);
      this.#rooms.set(interviewId, state);
      state.catch(() => this.#rooms.delete(interviewId));
    }
    return state;
  }

  async #create(interviewId: string, reconnect: boolean): Promise<RoomState> {
    if (this.#closed) throw new ConflictError('The server is shutting down');
    const room = await Room.create(this.#options.pool, { appData: { interviewId }, maxIncomingBitrate: this.#options.limits.maxIncomingBitrate });
    this.#openRooms.add(room);
    room.once('closed', () => this.#openRooms.delete(room));
    const stopListening = this.#options.interviewEvents.listen(interviewId, (event) => {
      if (event.kind === 'InterviewStatusChanged' && event.status !== InterviewStatus.LIVE) void this.#closeRoom(interviewId);
    });
    // Called by both the room's close and the interview's end: a channel listener must stop once.
    let listening = true;
    const unlisten = () => {
      if (listening) stopListening();
      listening = false;
    };
    const state: RoomState = { interviewId, room, unlisten, recordings: new Map(), recordingTimers: new Map() };
    const publish = (kind: MediaRoomEvent['kind'], producer: types.Producer | null = null) =>
      this.#events.publish(interviewId, { kind, interviewId, reconnect, producer: producer && producerInfo(producer) });
    room.on('producerAdded', (producer) => {
      publish('PRODUCER_ADDED', producer);
      const data = producer.appData as ProducerData;
      if (data.candidateId && WATCHED_SOURCES.includes(data.source)) {
        this.#watch(interviewId, data.candidateId, data.source, producer.id);
        this.#scheduleRecording(state, data.candidateId);
      }
    });
    room.on('producerClosed', (producer) => publish('PRODUCER_CLOSED', producer));
    room.on('closed', (reason) => void this.#roomClosed(state, reason));
    this.#logger.info({ interviewId, worker: room.workerIndex, reconnect }, 'media room opened');
    publish('ROOM_OPENED');
    return state;
  }

  /** A worker crash took the room: finalize its recordings and open it again on a live worker. */
  async #roomClosed(state: RoomState, reason: 'closed' | 'worker-died'): Promise<void> {
    state.unlisten();
    this.#forgetObjects(state.interviewId);
    if (reason !== 'worker-died' || this.#rooms.get(state.interviewId) === undefined) return;
    const { interviewId } = state;
    const reopened = (async () => {
      await this.#stopRecordings(state);
      await this.#waitForWorker();
      if ((await this.#options.interviews.statusOf(interviewId)) !== InterviewStatus.LIVE) throw new ConflictError('interview no longer LIVE');
      return this.#create(interviewId, true);
    })();
    this.#rooms.set(interviewId, reopened);
    reopened.catch((error) => {
      this.#rooms.delete(interviewId);
      this.#logger.warn({ err: error, interviewId }, 'media room not re-created');
    });
  }

  async #waitForWorker(): Promise<void> {
    while (!this.#closed) {
      try {
        this.#options.pool.leastLoaded();
        return;
      } catch {
        await new Promise<void>((resolve) => this.#options.pool.once('workerRestarted', () => resolve()));
      }
    }
  }

  async #closeRoom(interviewId: string): Promise<void> {
    const pending = this.#rooms.get(interviewId);
    if (!pending) return;
    this.#rooms.delete(interviewId);
    const state = await pending.catch(() => undefined);
    if (!state) return;
    state.unlisten();
    await this.#stopRecordings(state);
    state.room.close();
    for (const [key, watch] of this.#watches) if (watch.interviewId === interviewId) this.#watches.delete(key);
    this.#events.publish(interviewId, { kind: 'ROOM_CLOSED', interviewId, reconnect: false, producer: null });
    this.#logger.info({ interviewId }, 'media room closed');
  }

  /** The room's transports, producers and consumers went with it. */
  #forgetObjects(interviewId: string): void {
    for (const [id, owner] of this.#objects) if (owner === interviewId) this.#objects.delete(id);
  }

  /** Starts (or moves to a new producer) the watch of a candidate's camera or mic. */
  #watch(interviewId: string, candidateId: string, source: MediaSource, producerId: string): void {
    const key = `${candidateId}/${source}`;
    const watch = this.#watches.get(key);
    if (watch) {
      watch.producerId = producerId;
      watch.bytes = 0;
    } else {
      this.#watches.set(key, { interviewId, candidateId, source, producerId, bytes: 0, lastFlowAt: Date.now(), lost: false });
    }
  }

  /** Reads the candidates' producer stats: flow (MEDIA_LOST), and every other time StreamQuality. */
  async #sample(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    const publishQuality = this.#ticks++ % 2 === 1;
    const now = Date.now();
    try {
      for (const pending of this.#rooms.values()) {
        const state = await pending.catch(() => undefined);
        if (!state || state.room.closed) continue;
        const byCandidate = new Map<string, ProducerSample[]>();
        for (const producer of state.room.producers()) {
          const data = producer.appData as ProducerData;
          if (!data.candidateId) continue;
          const stats = await producer.getStats().catch(() => []);
          const samples = byCandidate.get(data.candidateId) ?? [];
          samples.push({ clockRate: producer.rtpParameters.codecs[0]?.clockRate ?? 90000, stats });
          byCandidate.set(data.candidateId, samples);
          const watch = this.#watches.get(`${data.candidateId}/${data.source}`);
          if (watch?.producerId === producer.id) {
            const bytes = stats.reduce((sum, stat) => sum + stat.byteCount, 0);
            if (bytes > watch.bytes && !producer.paused) {
              watch.lastFlowAt = now;
              watch.lost = false;
            }
            watch.bytes = bytes;
          }
        }
        if (publishQuality) for (const [candidateId, samples] of byCandidate) await this.#publishQuality(state.interviewId, candidateId, samples);
      }
      await this.#checkMediaLost(now);
    } catch (error) {
      this.#logger.error({ err: error }, 'media sampling failed');
    } finally {
      this.#sampling = false;
    }
  }

  async #publishQuality(interviewId: string, candidateId: string, samples: ProducerSample[]): Promise<void> {
    const quality = qualityOf(samples);
    if (!quality) return;
    this.#options.interviewEvents.publish(interviewId, { kind: 'StreamQuality', interviewId, candidateId, ...quality });
    await saveQualitySample(this.#options.orm, interviewId, candidateId, quality, new Date());
  }

  async #checkMediaLost(now: number): Promise<void> {
    for (const watch of this.#watches.values()) {
      const silentMs = now - watch.lastFlowAt;
      if (watch.lost || silentMs < this.#options.mediaLostAfterMs) continue;
      const pending = this.#rooms.get(watch.interviewId);
      if (!pending) continue;
      watch.lost = true;
      const state = await pending.catch(() => undefined);
      const producer = watch.producerId ? state?.room.producer(watch.producerId) : undefined;
      const reason = !producer ? 'closed' : producer.paused ? 'paused' : 'no media';
      const recorded = await this.#options.monitoring.recordServerEvent(watch.candidateId, 'MEDIA_LOST', silentMs, { source: watch.source, reason, silentMs });
      if (!recorded) this.#logger.warn({ candidateId: watch.candidateId }, 'MEDIA_LOST for a candidate without a monitoring session: not recorded');
    }
  }

  /** (Re)starts the candidate's recording once their producers settle; one file per set of streams. */
  #scheduleRecording(state: RoomState, candidateId: string): void {
    if (!this.recordingEnabled) return;
    clearTimeout(state.recordingTimers.get(candidateId));
    state.recordingTimers.set(
      candidateId,
      setTimeout(() => {
        state.recordingTimers.delete(candidateId);
        const previous = state.recordings.get(candidateId) ?? Promise.resolve(undefined);
        state.recordings.set(candidateId, previous.then((running) => this.#rotateRecording(state, candidateId, running)));
      }, RECORDING_SETTLE_MS),
    );
  }

  async #rotateRecording(state: RoomState, candidateId: string, running: Recording | undefined): Promise<Recording | undefined> {
    if (state.room.closed) return running;
    const producers = state.room
      .producers()
      .filter((p) => (p.appData as ProducerData).candidateId === candidateId && WATCHED_SOURCES.includes((p.appData as ProducerData).source));
    if (running && producers.length === running.producerIds.size && producers.every((p) => running.producerIds.has(p.id))) return running;
    if (running) await this.#finish(running);
    if (producers.length === 0) return undefined;
    try {
      const recording = await Recording.start({
        room: state.room,
        producers,
        directory: join(this.#options.dataDir, 'recordings', state.interviewId),
        candidateId,
        ffmpegPath: this.#options.ffmpegPath!,
        maxBytes: this.#options.limits.recordingMaxBytes,
        logger: this.#logger,
        onEnded: (recording, end) => this.#recordingEnded(state, candidateId, recording, end),
      });
      await this.#options.orm.em
        .getConnection()
        .execute('insert into recordings (id, interview_id, candidate_id, path, started_at) values (?, ?, ?, ?, ?)', [recording.id, state.interviewId, candidateId, recording.path, recording.startedAt], 'run');
      this.#activeRecordings++;
      return recording;
    } catch (error) {
      this.#logger.error({ err: error, candidateId }, 'recording did not start');
      return undefined;
    }
  }

  /**
   * ffmpeg ended without being asked: the file reached its size cap (finalized, playable) or
   * ffmpeg failed. Either way the recording is over; the candidate's next change of streams
   * starts a new file.
   */
  #recordingEnded(state: RoomState, candidateId: string, recording: Recording, end: RecordingEnd): void {
    const detail = { interviewId: state.interviewId, candidateId, path: recording.path };
    if (end === 'size-limit') this.#logger.warn({ ...detail, maxBytes: this.#options.limits.recordingMaxBytes }, 'recording stopped at its size cap');
    const current = state.recordings.get(candidateId);
    if (!current) return;
    state.recordings.set(
      candidateId,
      current.then(async (running) => {
        if (running !== recording) return running;
        await this.#finish(recording).catch((error) => this.#logger.error({ err: error, ...detail }, 'recording did not finalize'));
        return undefined;
      }),
    );
  }

  #finish(recording: Recording): Promise<void> {
    let finishing = this.#finishing.get(recording);
    if (!finishing) {
      finishing = (async () => {
        const endedAt = await recording.stop();
        this.#activeRecordings--;
        await this.#options.orm.em.getConnection().execute('update recordings set ended_at = ? where id = ?', [endedAt, recording.id], 'run');
      })();
      this.#finishing.set(recording, finishing);
    }
    return finishing;
  }

  async #stopRecordings(state: RoomState): Promise<void> {
    for (const timer of state.recordingTimers.values()) clearTimeout(timer);
    state.recordingTimers.clear();
    const running = await Promise.all(state.recordings.values());
    state.recordings.clear();
    await Promise.all(running.map((recording) => recording && this.#finish(recording).catch((error) => this.#logger.error({ err: error }, 'recording did not finalize'))));
  }
}

/**
 * A candidate receives, and hears of, only the hosts' streams of its own interview (never another
 * candidate's); hosts and API tokens everything in their org's rooms.
 */
function mayReceive(actor: Actor, producer: MediaProducerInfo | null): boolean {
  return actor.kind !== 'candidate' || producer === null || producer.role === 'HOST';
}

function producerInfo(producer: types.Producer): MediaProducerInfo {
  const data = producer.appData as ProducerData;
  return {
    producerId: producer.id,
    kind: producer.kind === 'audio' ? 'AUDIO' : 'VIDEO',
    source: data.source,
    role: data.role,
    candidateId: data.candidateId,
    paused: producer.paused,
  };
}

/** Runs an SFU call, turning its refusals (and mediasoup's parameter checks) into domain errors. */
async function sfu<T>(field: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof SfuError) {
      if (error.reason === 'NOT_FOUND') throw new NotFoundError(error.message);
      throw error.reason === 'CLOSED' ? new ConflictError(error.message) : new ValidationError(field, error.message);
    }
    if (error instanceof TypeError || (error as Error).name === 'UnsupportedError') throw new ValidationError(field, (error as Error).message);
    throw error;
  }
}
