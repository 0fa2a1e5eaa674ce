// The media room of each LIVE interview in this process: opened when the interview goes LIVE
// (or when a page asks for a LIVE interview's room after a restart), closed when it ends, and
// opened again on a live worker when its worker dies. A room's recordings are finalized before
// its router goes.
import { EventEmitter, once } from 'node:events';
import { Room, type RoomCloseReason } from '../../sfu/room.ts';
import type { WorkerPool } from '../../sfu/worker-pool.ts';
import { InterviewStatus } from '../db/entities.ts';
import { ConflictError } from '../errors.ts';
import type { Channel } from '../live/channel.ts';
import type { InterviewEvent } from '../live/events.ts';
import type { Logger } from '../log.ts';
import type { InterviewService } from '../services/interviews.ts';
import type { InterviewRoom, ProducerTags, TaggedProducer } from './interview-room.ts';
import type { RecordingManager } from './recording-manager.ts';

type MediaRoomsEvents = {
  opened: [room: InterviewRoom];
  producerAdded: [room: InterviewRoom, producer: TaggedProducer];
  producerClosed: [room: InterviewRoom, producer: TaggedProducer];
  /** Its router closed (the interview ended, or the worker died): its transports, producers and consumers went with it. */
  gone: [room: InterviewRoom];
  /** The interview's room closed for good: the interview is no longer LIVE, or the server stops. */
  closed: [interviewId: string];
};

export interface MediaRoomsOptions {
  pool: WorkerPool;
  interviews: InterviewService;
  interviewEvents: Channel<InterviewEvent>;
  recordings: RecordingManager;
  logger: Logger;
  /** Bits per second each WebRTC transport may receive. */
  maxIncomingBitrate: number;
}

interface OpenRoom extends InterviewRoom {
  /** Stops listening for the interview's status changes. */
  unlisten: () => void;
}

export class MediaRooms extends EventEmitter<MediaRoomsEvents> {
  readonly #options: MediaRoomsOptions;
  readonly #rooms = new Map<string, Promise<OpenRoom>>();
  /** For the metrics: the routers open now. */
  readonly #routers = new Set<Room<ProducerTags>>();
  #closed = false;

  constructor(options: MediaRoomsOptions) {
    super();
    this.#options = options;
    // Opening reacts to this process's startInterview (another process's start opens the room
    // here when a peer first joins); closing to every end, this process's or relayed.
    options.interviewEvents.listenToAll((interviewId, event, relayed) => {
      if (!relayed && event.kind === 'InterviewStatusChanged' && event.status === InterviewStatus.LIVE) {
        void this.open(interviewId).catch((error) => options.logger.error({ err: error, interviewId }, 'cannot open the media room'));
      }
    });
  }

  /** The interview's room, opened if it is not yet. */
  open(interviewId: string): Promise<InterviewRoom> {
    let room = this.#rooms.get(interviewId);
    if (!room) {
      room = this.#create(interviewId, false);
      this.#rooms.set(interviewId, room);
      room.catch(() => this.#rooms.delete(interviewId));
    }
    return room;
  }

  /** The interview's room if it is open or opening here (undefined once that failed). */
  find(interviewId: string): Promise<InterviewRoom | undefined> | undefined {
    return this.#rooms.get(interviewId)?.catch(() => undefined);
  }

  /** Every room open or opening here, as the registry holds them while the caller iterates. */
  *all(): Iterable<Promise<InterviewRoom | undefined>> {
    for (const room of this.#rooms.values()) yield room.catch(() => undefined);
  }

  /** Rooms open now and the streams sent into them (the metrics endpoint). */
  counts(): { rooms: number; producers: number } {
    const open = [...this.#routers].filter((room) => !room.closed);
    return { rooms: open.length, producers: open.reduce((sum, room) => sum + room.producers().length, 0) };
  }

  /** Finalizes every recording and closes every room; none opens after. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#rooms.keys()].map((interviewId) => this.#close(interviewId)));
  }

  async #create(interviewId: string, reconnect: boolean): Promise<OpenRoom> {
    if (this.#closed) throw new ConflictError('The server is shutting down');
    const { pool, interviewEvents, logger } = this.#options;
    const room = await Room.create<ProducerTags>(pool, { appData: { interviewId }, maxIncomingBitrate: this.#options.maxIncomingBitrate });
    this.#routers.add(room);
    room.once('closed', () => this.#routers.delete(room));
    const stopListening = interviewEvents.listen(interviewId, (event) => {
      if (event.kind === 'InterviewStatusChanged' && event.status !== InterviewStatus.LIVE) void this.#close(interviewId);
    });
    // Called by both the room's close and the interview's end: a channel listener must stop once.
    let listening = true;
    const unlisten = () => {
      if (listening) stopListening();
      listening = false;
    };
    const open: OpenRoom = { interviewId, room, reconnect, unlisten };
    room.on('producerAdded', (producer) => this.emit('producerAdded', open, producer));
    room.on('producerClosed', (producer) => this.emit('producerClosed', open, producer));
    room.on('closed', (reason) => void this.#routerClosed(open, reason));
    logger.info({ interviewId, worker: room.workerIndex, reconnect }, 'media room opened');
    this.emit('opened', open);
    return open;
  }

  /** A worker crash took the room: finalize its recordings and open it again on a live worker. */
  async #routerClosed(open: OpenRoom, reason: RoomCloseReason): Promise<void> {
    open.unlisten();
    this.emit('gone', open);
    if (reason !== 'worker-died' || this.#rooms.get(open.interviewId) === undefined) return;
    const { interviewId } = open;
    const reopened = (async () => {
      await this.#options.recordings.stopRoom(open);
      await this.#workerRunning();
      if ((await this.#options.interviews.statusOf(interviewId)) !== InterviewStatus.LIVE) throw new ConflictError('interview no longer LIVE');
      return this.#create(interviewId, true);
    })();
    this.#rooms.set(interviewId, reopened);
    reopened.catch((error) => {
      this.#rooms.delete(interviewId);
      this.#options.logger.warn({ err: error, interviewId }, 'media room not re-created');
    });
  }

  async #workerRunning(): Promise<void> {
    const { pool } = this.#options;
    while (!this.#closed && pool.workers().length === 0) await once(pool, 'workerRestarted');
  }

  async #close(interviewId: string): Promise<void> {
    const pending = this.#rooms.get(interviewId);
    if (!pending) return;
    this.#rooms.delete(interviewId);
    const open = await pending.catch(() => undefined);
    if (!open) return;
    open.unlisten();
    await this.#options.recordings.stopRoom(open);
    open.room.close();
    this.emit('closed', interviewId);
    this.#options.logger.info({ interviewId }, 'media room closed');
  }
}
