/// <reference lib="dom" />
// An interview's media room as a page lives it: listens to mediaRoomEvents, connects when the
// room opens (the interview goes LIVE), reconnects and re-publishes whenever the room opens again
// (it moved to another worker, or the socket came back: the server closes a socket's transports
// with it), and tells the page which streams come and go. Framework-free.
//
//   const room = MediaRoom.join(graphqlWsClient);            // candidate: its own interview
//   await room.publish(await navigator.mediaDevices.getUserMedia({ video: true, audio: true }));
//
//   const room = MediaRoom.join(client, { interviewId, onProducerAdded: async (p) => {
//     video.srcObject = new MediaStream([(await room.consume(p.producerId)).track]);
//   } });
import type { Client } from 'graphql-ws';
import type { types } from 'mediasoup-client';
import type { MediaProducerInfo, MediaRoomEvent, MediaSource } from '../../../contract/media-signaling.ts';
import { MediaSession, type ConsumedTrack } from './media-session.ts';
import { Signaling, SignalingError } from './signaling.ts';

export interface MediaRoomOptions {
  /** Hosts name the interview; a candidate's join link implies its own. */
  interviewId?: string;
  onProducerAdded?: (producer: MediaProducerInfo) => void;
  onProducerClosed?: (producer: MediaProducerInfo) => void;
  /** Connected (again): `reconnect` after the server moved the room. */
  onReady?: (reconnect: boolean) => void;
  /** The interview ended. */
  onClosed?: () => void;
  onError?: (error: Error) => void;
}

interface Published {
  track: MediaStreamTrack;
  source: MediaSource;
  producer: types.Producer | undefined;
  /** The session this track is produced on, and that production (one per session). */
  session: MediaSession | undefined;
  producing: Promise<void> | undefined;
}

export class MediaRoom {
  readonly #signaling: Signaling;
  readonly #options: MediaRoomOptions;
  readonly #stopEvents: () => void;
  readonly #published: Published[] = [];
  readonly #producers = new Map<string, MediaProducerInfo>();
  #session: Promise<MediaSession> | undefined;
  #waiters: ((session: Promise<MediaSession>) => void)[] = [];

  private constructor(client: Client, options: MediaRoomOptions) {
    this.#signaling = new Signaling(client);
    this.#options = options;
    this.#stopEvents = this.#signaling.roomEvents(
      options.interviewId,
      (event) => this.#onEvent(event),
      (error) => this.#fail(error),
    );
  }

  static join(client: Client, options: MediaRoomOptions = {}): MediaRoom {
    return new MediaRoom(client, options);
  }

  /** Streams in the room now (as the server announced them). */
  get producers(): MediaProducerInfo[] {
    return [...this.#producers.values()];
  }

  /**
   * Publishes a stream's video (CAMERA, or SCREEN) and audio (MIC) — now, or when the room
   * opens — and again after a reconnect. Resolves once every track is produced.
   */
  async publish(stream: MediaStream, videoSource: 'CAMERA' | 'SCREEN' = 'CAMERA'): Promise<types.Producer[]> {
    const added: Published[] = stream.getTracks().map((track) => ({
      track,
      source: track.kind === 'audio' ? 'MIC' : videoSource,
      producer: undefined,
      session: undefined,
      producing: undefined,
    }));
    this.#published.push(...added);
    const session = await this.#ready();
    await Promise.all(added.map((published) => this.#produce(session, published)));
    return added.map((published) => published.producer!);
  }

  /** Stops publishing a track (the server sees the producer close). */
  async unpublish(track: MediaStreamTrack): Promise<void> {
    const index = this.#published.findIndex((published) => published.track === track);
    if (index < 0) return;
    const [published] = this.#published.splice(index, 1);
    if (published?.producer) await (await this.#ready()).closeProducer(published.producer);
  }

  /** Receives a producer's track. */
  async consume(producerId: string): Promise<ConsumedTrack> {
    return (await this.#ready()).consume(producerId);
  }

  close(): void {
    this.#stopEvents();
    void this.#session?.then(
      (session) => session.close(),
      () => {},
    );
  }

  #ready(): Promise<MediaSession> {
    return this.#session ?? new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Produces a track on a session once, however many callers (publish, a reopened room) ask. */
  #produce(session: MediaSession, published: Published): Promise<void> {
    if (published.session !== session) {
      published.session = session;
      published.producer = undefined;
      published.producing =
        published.track.readyState === 'ended' ? Promise.resolve() : session.produce(published.track, published.source).then((producer) => void (published.producer = producer));
    }
    return published.producing!;
  }

  #onEvent(event: MediaRoomEvent): void {
    switch (event.kind) {
      case 'ROOM_OPENED': {
        void this.#session?.then(
          (old) => old.close(),
          () => {},
        );
        this.#producers.clear();
        const session = MediaSession.open(this.#signaling, this.#options.interviewId);
        this.#session = session;
        for (const waiter of this.#waiters.splice(0)) waiter(session);
        session
          .then(async (opened) => {
            await Promise.all(this.#published.map((published) => this.#produce(opened, published)));
            this.#options.onReady?.(event.reconnect);
          })
          .catch((error: Error) => this.#fail(error));
        break;
      }
      case 'PRODUCER_ADDED':
        this.#producers.set(event.producer!.producerId, event.producer!);
        this.#options.onProducerAdded?.(event.producer!);
        break;
      case 'PRODUCER_CLOSED':
        this.#producers.delete(event.producer!.producerId);
        this.#options.onProducerClosed?.(event.producer!);
        break;
      case 'ROOM_CLOSED':
        void this.#session?.then(
          (session) => session.close(),
          () => {},
        );
        this.#session = undefined;
        this.#producers.clear();
        this.#options.onClosed?.();
        break;
    }
  }

  #fail(error: Error): void {
    if (this.#options.onError) this.#options.onError(error);
    else console.error('media room:', error instanceof SignalingError ? `${error.code}: ${error.message}` : error);
  }
}
