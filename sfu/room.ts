// One router on one worker, and the transports, producers and consumers its peers own. A peer is
// an opaque id chosen by the caller (one per signaling connection): every call names the peer,
// and a peer can only touch what it created. `close()` cascades to everything; when the worker
// dies the room closes itself with reason 'worker-died' so the owner can re-create it elsewhere.
// Producers carry the caller's `Tags` (who sends, which source); what goes out are plain values.
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { MEDIA_CODECS } from './codecs.ts';
import { SfuError } from './errors.ts';
import type {
  ConsumerOptions,
  Direction,
  JsonObject,
  MediaKind,
  PlainConsumer,
  PlainDestination,
  PlainInput,
  PlainOutput,
  ProducerInfo,
  ProducerStats,
  RtpCapabilities,
  RtpParameters,
  TransportOptions,
  TransportStats,
} from './types.ts';
import type { PoolWorker, WorkerPool } from './worker-pool.ts';

export type RoomCloseReason = 'closed' | 'worker-died';

type RoomEvents<Tags> = {
  producerAdded: [producer: ProducerInfo<Tags>];
  producerClosed: [producer: ProducerInfo<Tags>];
  closed: [reason: RoomCloseReason];
};

/** The candidate's stream gets the bandwidth first when a host's downlink is short. */
export type ProducerPriority = 'high' | 'normal';
const VIDEO_PRIORITY: Record<ProducerPriority, number> = { high: 200, normal: 1 };

interface OwnedProducer<Tags> {
  owner: string;
  producer: types.Producer;
  tags: Tags;
  priority: ProducerPriority;
}

interface Owned<T> {
  owner: string;
  item: T;
}

export interface RoomOptions {
  /** Travels with the router (the interview it serves). */
  appData?: Record<string, unknown>;
  /** What each WebRTC transport may receive, in bits per second (none when unset). */
  maxIncomingBitrate?: number;
}

export interface ProduceOptions<Tags> {
  kind: MediaKind;
  /** As the client sent them; mediasoup checks them. */
  rtpParameters: JsonObject;
  tags: Tags;
  priority: ProducerPriority;
}

/** What one peer holds in the room. */
export interface PeerHoldings<Tags> {
  transports: number;
  producers: ProducerInfo<Tags>[];
}

export class Room<Tags = unknown> extends EventEmitter<RoomEvents<Tags>> {
  readonly #router: types.Router;
  readonly #slot: PoolWorker;
  readonly #maxIncomingBitrate: number | undefined;
  readonly #transports = new Map<string, Owned<types.WebRtcTransport> & { direction: Direction }>();
  readonly #producers = new Map<string, OwnedProducer<Tags>>();
  readonly #consumers = new Map<string, Owned<types.Consumer>>();
  #closed = false;

  private constructor(router: types.Router, slot: PoolWorker, maxIncomingBitrate: number | undefined) {
    super();
    this.#router = router;
    this.#slot = slot;
    this.#maxIncomingBitrate = maxIncomingBitrate;
  }

  /** A router on the least-loaded worker of the pool. */
  static async create<Tags = unknown>(pool: WorkerPool, options: RoomOptions = {}): Promise<Room<Tags>> {
    const slot = pool.leastLoaded();
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: options.appData ?? {} });
    slot.routers++;
    const room = new Room<Tags>(router, slot, options.maxIncomingBitrate);
    router.observer.once('close', () => {
      slot.routers--;
      room.#finish(slot.worker.died ? 'worker-died' : 'closed');
    });
    return room;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get workerIndex(): number {
    return this.#slot.index;
  }

  get rtpCapabilities(): RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  async createWebRtcTransport(peer: string, direction: Direction): Promise<TransportOptions> {
    this.#assertOpen();
    const transport = await this.#router.createWebRtcTransport({
      webRtcServer: this.#slot.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { peer, direction },
    });
    this.#transports.set(transport.id, { owner: peer, item: transport, direction });
    transport.observer.once('close', () => this.#transports.delete(transport.id));
    // The sender is told (REMB / transport-cc) to stay below it, and what exceeds it is dropped.
    if (this.#maxIncomingBitrate !== undefined) {
      await transport.setMaxIncomingBitrate(this.#maxIncomingBitrate).catch((error: unknown) => {
        transport.close();
        throw error;
      });
    }
    return { id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters };
  }

  async connectTransport(peer: string, transportId: string, dtlsParameters: JsonObject): Promise<void> {
    const transport = this.#transport(peer, transportId);
    await checked(() => transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }));
  }

  async produce(peer: string, transportId: string, { kind, rtpParameters, tags, priority }: ProduceOptions<Tags>): Promise<ProducerInfo<Tags>> {
    const owned = this.#transports.get(transportId);
    if (owned?.direction === 'recv') throw new SfuError('INVALID', `Transport ${transportId} was created to receive, not to send`);
    const transport = this.#transport(peer, transportId);
    const producer = await checked(() => transport.produce({ kind, rtpParameters: rtpParameters as RtpParameters, appData: { peer } }));
    const entry: OwnedProducer<Tags> = { owner: peer, producer, tags, priority };
    this.#producers.set(producer.id, entry);
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      if (!this.#closed) this.emit('producerClosed', infoOf(entry));
    });
    const info = infoOf(entry);
    this.emit('producerAdded', info);
    return info;
  }

  /** A paused consumer on the peer's receive transport (resumed once the client is ready). */
  async consume(peer: string, producerId: string, rtpCapabilities: JsonObject): Promise<ConsumerOptions<Tags>> {
    this.#assertOpen();
    const entry = this.#producers.get(producerId);
    if (!entry) throw new SfuError('NOT_FOUND', `Producer ${producerId}`);
    const { producer } = entry;
    const transport = [...this.#transports.values()].find((t) => t.owner === peer && t.direction === 'recv')?.item;
    if (!transport) throw new SfuError('INVALID', 'Create a receive transport (direction RECV) before consuming');
    const capabilities = rtpCapabilities as RtpCapabilities;
    if (!this.#router.canConsume({ producerId, rtpCapabilities: capabilities })) {
      throw new SfuError('INVALID', `These rtpCapabilities cannot receive ${producer.kind} as ${producer.rtpParameters.codecs[0]?.mimeType}`);
    }
    const consumer = await checked(() => transport.consume({ producerId, rtpCapabilities: capabilities, paused: true, appData: { peer } }));
    if (consumer.kind === 'video') await consumer.setPriority(VIDEO_PRIORITY[entry.priority]);
    this.#consumers.set(consumer.id, { owner: peer, item: consumer });
    consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
    return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters, tags: entry.tags };
  }

  async resumeConsumer(peer: string, consumerId: string): Promise<void> {
    const owned = this.#consumers.get(consumerId);
    if (!owned || owned.owner !== peer) throw new SfuError('NOT_FOUND', `Consumer ${consumerId}`);
    await owned.item.resume();
  }

  closeProducer(peer: string, producerId: string): void {
    const owned = this.#producers.get(producerId);
    if (!owned || owned.owner !== peer) throw new SfuError('NOT_FOUND', `Producer ${producerId}`);
    owned.producer.close();
  }

  /** Everything the peer created goes (its signaling connection closed). */
  closePeer(peer: string): void {
    for (const { owner, item } of [...this.#transports.values()]) if (owner === peer) item.close();
  }

  /** What a peer holds now (its limits are the owner's policy). */
  holdings(peer: string): PeerHoldings<Tags> {
    let transports = 0;
    for (const { owner } of this.#transports.values()) if (owner === peer) transports++;
    const producers = [...this.#producers.values()].filter(({ owner }) => owner === peer).map(infoOf);
    return { transports, producers };
  }

  /** Transport stats of every peer (diagnostics). */
  async transportStats(): Promise<TransportStats[]> {
    const stats = (await Promise.all([...this.#transports.values()].map(({ item }) => item.getStats()))).flat();
    return stats.map(({ transportId, maxIncomingBitrate, bytesReceived, bytesSent, iceSelectedTuple: tuple }) => ({
      transportId,
      maxIncomingBitrate,
      bytesReceived,
      bytesSent,
      selectedTuple: tuple && { protocol: tuple.protocol, localPort: tuple.localPort, remoteIp: tuple.remoteIp },
    }));
  }

  producer(producerId: string): ProducerInfo<Tags> | undefined {
    const entry = this.#producers.get(producerId);
    return entry && infoOf(entry);
  }

  producers(): ProducerInfo<Tags>[] {
    return [...this.#producers.values()].map(infoOf);
  }

  /** A producer's incoming streams as measured now (none once it has gone). */
  async producerStats(producerId: string): Promise<ProducerStats[]> {
    const entry = this.#producers.get(producerId);
    return entry ? statsOf(entry.producer) : [];
  }

  /**
   * Sends one producer as plain RTP to a local destination (the recorder): paused, so the
   * receiver can get ready; resume it and ask for a key frame then.
   */
  async plainOutput(producerId: string, destination: PlainDestination): Promise<PlainOutput> {
    this.#assertOpen();
    const transport = await this.#router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: destination.ip }, rtcpMux: false, comedia: false });
    try {
      await transport.connect({ ip: destination.ip, port: destination.port, rtcpPort: destination.rtcpPort });
      const consumer = await transport.consume({ producerId, rtpCapabilities: this.#router.rtpCapabilities, paused: true });
      return { consumer: plainConsumer(consumer), close: () => transport.close() };
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  /** A producer that a local process feeds with plain RTP (the SFU bench replays captured RTP into it). */
  async plainInput(kind: MediaKind, rtpParameters: RtpParameters, ip: string): Promise<PlainInput> {
    this.#assertOpen();
    const transport = await this.#router.createPlainTransport({ listenInfo: { protocol: 'udp', ip }, rtcpMux: true, comedia: true });
    try {
      const producer = await transport.produce({ kind, rtpParameters });
      return { producerId: producer.id, port: transport.tuple.localPort, stats: () => statsOf(producer), close: () => transport.close() };
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  close(): void {
    if (!this.#closed) this.#router.close();
  }

  #finish(reason: RoomCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('closed', reason);
  }

  #transport(peer: string, transportId: string): types.WebRtcTransport {
    this.#assertOpen();
    const owned = this.#transports.get(transportId);
    if (!owned || owned.owner !== peer) throw new SfuError('NOT_FOUND', `Transport ${transportId}`);
    return owned.item;
  }

  #assertOpen(): void {
    if (this.#closed) throw new SfuError('CLOSED', 'This media room has closed; reconnect when ROOM_OPENED arrives');
  }
}

/** mediasoup checks the parameters a client sent, and says what is wrong with a TypeError or an UnsupportedError. */
async function checked<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TypeError || (error as Error).name === 'UnsupportedError') throw new SfuError('INVALID', (error as Error).message);
    throw error;
  }
}

function infoOf<Tags>({ producer, tags }: OwnedProducer<Tags>): ProducerInfo<Tags> {
  return { id: producer.id, kind: producer.kind, paused: producer.paused, clockRate: producer.rtpParameters.codecs[0]?.clockRate ?? 90000, tags };
}

async function statsOf(producer: types.Producer): Promise<ProducerStats[]> {
  return (await producer.getStats()).map(({ packetCount, byteCount, bitrate, packetsLost, fractionLost, jitter, roundTripTime, score }) => ({
    packetCount,
    byteCount,
    bitrate,
    packetsLost,
    fractionLost,
    jitter,
    roundTripTime,
    score,
  }));
}

function plainConsumer(consumer: types.Consumer): PlainConsumer {
  return {
    kind: consumer.kind,
    rtpParameters: consumer.rtpParameters,
    get closed() {
      return consumer.closed;
    },
    resume: () => consumer.resume(),
    requestKeyFrame: () => consumer.requestKeyFrame(),
    packetsSent: async () => (await consumer.getStats()).reduce((sum, stat) => sum + (stat.type === 'outbound-rtp' ? stat.packetCount : 0), 0),
  };
}
