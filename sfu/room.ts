// One router on one worker, and the transports, producers and consumers its peers own. A peer is
// an opaque id chosen by the caller (one per signaling connection): every call names the peer,
// and a peer can only touch what it created. `close()` cascades to everything; when the worker
// dies the room closes itself with reason 'worker-died' so the owner can re-create it elsewhere.
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { MEDIA_CODECS } from './codecs.ts';
import { SfuError } from './errors.ts';
import type { PoolWorker, WorkerPool } from './worker-pool.ts';

export type Direction = 'send' | 'recv';

/** What a client needs to build its side of a WebRTC transport. */
export interface TransportOptions {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

export interface ConsumerOptions {
  id: string;
  producerId: string;
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
  appData: Record<string, unknown>;
}

/** A UDP destination for plain RTP (a recorder); RTCP goes to `rtcpPort`. */
export interface PlainDestination {
  ip: string;
  port: number;
  rtcpPort: number;
}

export interface PlainOutput {
  consumer: types.Consumer;
  close(): void;
}

type RoomEvents = {
  producerAdded: [producer: types.Producer];
  producerClosed: [producer: types.Producer];
  closed: [reason: 'closed' | 'worker-died'];
};

interface Owned<T> {
  owner: string;
  item: T;
}

/** The candidate's stream gets the bandwidth first when a host's downlink is short. */
const VIDEO_PRIORITY = { high: 200, normal: 1 };

export interface RoomOptions {
  /** Travels with the router (the interview it serves). */
  appData?: Record<string, unknown>;
  /** What each WebRTC transport may receive, in bits per second (none when unset). */
  maxIncomingBitrate?: number;
}

/** What one peer holds in the room. */
export interface PeerHoldings {
  transports: number;
  producers: types.Producer[];
}

export class Room extends EventEmitter<RoomEvents> {
  readonly router: types.Router;
  readonly #slot: PoolWorker;
  readonly #maxIncomingBitrate: number | undefined;
  readonly #transports = new Map<string, Owned<types.WebRtcTransport> & { direction: Direction }>();
  readonly #producers = new Map<string, Owned<types.Producer>>();
  readonly #consumers = new Map<string, Owned<types.Consumer>>();
  #closed = false;

  private constructor(router: types.Router, slot: PoolWorker, maxIncomingBitrate: number | undefined) {
    super();
    this.router = router;
    this.#slot = slot;
    this.#maxIncomingBitrate = maxIncomingBitrate;
  }

  /** A router on the least-loaded worker of the pool. */
  static async create(pool: WorkerPool, options: RoomOptions = {}): Promise<Room> {
    const slot = pool.leastLoaded();
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: options.appData ?? {} });
    slot.routers++;
    const room = new Room(router, slot, options.maxIncomingBitrate);
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

  get rtpCapabilities(): types.RouterRtpCapabilities {
    return this.router.rtpCapabilities;
  }

  async createWebRtcTransport(peer: string, direction: Direction): Promise<TransportOptions> {
    this.#assertOpen();
    const transport = await this.router.createWebRtcTransport({
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

  async connectTransport(peer: string, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.#transport(peer, transportId).connect({ dtlsParameters });
  }

  /** `appData` travels with the producer (who produced it, which source). */
  async produce(peer: string, transportId: string, kind: types.MediaKind, rtpParameters: types.RtpParameters, appData: Record<string, unknown>): Promise<types.Producer> {
    const owned = this.#transports.get(transportId);
    if (owned?.direction === 'recv') throw new SfuError('INVALID', `Transport ${transportId} was created to receive, not to send`);
    const producer = await this.#transport(peer, transportId).produce({ kind, rtpParameters, appData: { ...appData, peer } });
    this.#producers.set(producer.id, { owner: peer, item: producer });
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      if (!this.#closed) this.emit('producerClosed', producer);
    });
    this.emit('producerAdded', producer);
    return producer;
  }

  /** A paused consumer on the peer's receive transport (resumed once the client is ready). */
  async consume(peer: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerOptions> {
    this.#assertOpen();
    const producer = this.#producers.get(producerId)?.item;
    if (!producer) throw new SfuError('NOT_FOUND', `Producer ${producerId}`);
    const transport = [...this.#transports.values()].find((t) => t.owner === peer && t.direction === 'recv')?.item;
    if (!transport) throw new SfuError('INVALID', 'Create a receive transport (direction RECV) before consuming');
    if (!this.router.canConsume({ producerId, rtpCapabilities })) {
      throw new SfuError('INVALID', `These rtpCapabilities cannot receive ${producer.kind} as ${producer.rtpParameters.codecs[0]?.mimeType}`);
    }
    const consumer = await transport.consume({ producerId, rtpCapabilities, paused: true, appData: { peer } });
    if (consumer.kind === 'video') await consumer.setPriority(producer.appData.priority === 'high' ? VIDEO_PRIORITY.high : VIDEO_PRIORITY.normal);
    this.#consumers.set(consumer.id, { owner: peer, item: consumer });
    consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
    return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters, appData: producer.appData };
  }

  async resumeConsumer(peer: string, consumerId: string): Promise<void> {
    const owned = this.#consumers.get(consumerId);
    if (!owned || owned.owner !== peer) throw new SfuError('NOT_FOUND', `Consumer ${consumerId}`);
    await owned.item.resume();
  }

  closeProducer(peer: string, producerId: string): void {
    const owned = this.#producers.get(producerId);
    if (!owned || owned.owner !== peer) throw new SfuError('NOT_FOUND', `Producer ${producerId}`);
    owned.item.close();
  }

  /** Everything the peer created goes (its signaling connection closed). */
  closePeer(peer: string): void {
    for (const { owner, item } of [...this.#transports.values()]) if (owner === peer) item.close();
  }

  /** What a peer holds now (its limits are the owner's policy). */
  holdings(peer: string): PeerHoldings {
    let transports = 0;
    for (const { owner } of this.#transports.values()) if (owner === peer) transports++;
    const producers = [...this.#producers.values()].filter(({ owner }) => owner === peer).map(({ item }) => item);
    return { transports, producers };
  }

  /** Transport stats of every peer (diagnostics). */
  async transportStats(): Promise<types.WebRtcTransportStat[]> {
    return (await Promise.all([...this.#transports.values()].map(({ item }) => item.getStats()))).flat();
  }

  producer(producerId: string): types.Producer | undefined {
    return this.#producers.get(producerId)?.item;
  }

  producers(): types.Producer[] {
    return [...this.#producers.values()].map((owned) => owned.item);
  }

  /**
   * Sends one producer as plain RTP to a local destination (the recorder): paused, so the
   * receiver can get ready; resume it and ask for a key frame then.
   */
  async plainOutput(producerId: string, destination: PlainDestination): Promise<PlainOutput> {
    this.#assertOpen();
    const transport = await this.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: destination.ip }, rtcpMux: false, comedia: false });
    try {
      await transport.connect({ ip: destination.ip, port: destination.port, rtcpPort: destination.rtcpPort });
      const consumer = await transport.consume({ producerId, rtpCapabilities: this.router.rtpCapabilities, paused: true });
      return { consumer, close: () => transport.close() };
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  close(): void {
    if (!this.#closed) this.router.close();
  }

  #finish(reason: 'closed' | 'worker-died'): void {
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
