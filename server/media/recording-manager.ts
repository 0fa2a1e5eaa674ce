// Every participant's tracks: each producer in the room (a candidate's or a host's camera, mic or
// screen) is recorded into its own file from when it is added until it closes, its file reaches
// its size cap, or the room closes or its worker dies. A reconnect produces anew, so the same
// participant's next track of that kind starts a new file on the same interview clock.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaSource } from '../../contract/media-signaling.ts';
import type { TrackKind } from '../../contract/recording.ts';
import type { Logger } from '../log.ts';
import type { InterviewRoom, TaggedProducer } from './interview-room.ts';
import { Recording, type RecordingEnd } from './recording.ts';
import type { RecordingStore } from './recording-store.ts';

const TRACK_KIND: Record<MediaSource, TrackKind> = { CAMERA: 'CAMERA', MIC: 'MICROPHONE', SCREEN: 'SCREEN' };
/** How many times a live producer's recording is started again after ffmpeg failed or its input went quiet. */
const MAX_RESTARTS = 3;

export interface RecordingManagerOptions {
  store: RecordingStore;
  logger: Logger;
  /** Recordings go to `<dataDir>/recordings/<interviewId>/`. */
  dataDir: string;
  /** The ffmpeg binary; undefined when recording is off (or ffmpeg is missing). */
  ffmpegPath: string | undefined;
  /** What one recording file may grow to, in bytes. */
  maxBytes: number;
}

export class RecordingManager {
  readonly #options: RecordingManagerOptions;
  /** Per room, producer id → its recording (being started, or running; undefined if it could not start). */
  readonly #rooms = new WeakMap<InterviewRoom, Map<string, Promise<Recording | undefined>>>();
  /** Per room, the recordings being finalized after their producer closed. */
  readonly #closing = new WeakMap<InterviewRoom, Set<Promise<void>>>();
  /** Each recording is finalized once, whoever asks first (its size cap, its producer's close, the room's end). */
  readonly #finishing = new WeakMap<Recording, Promise<void>>();
  /** Per room, producer id → how many times its recording was started again. */
  readonly #restarts = new WeakMap<InterviewRoom, Map<string, number>>();
  #active = 0;

  constructor(options: RecordingManagerOptions) {
    this.#options = options;
  }

  get enabled(): boolean {
    return this.#options.ffmpegPath !== undefined;
  }

  /** Recordings being written now. */
  get active(): number {
    return this.#active;
  }

  /** Starts recording a producer that was just added to the room. */
  record(room: InterviewRoom, producer: TaggedProducer): void {
    if (!this.enabled || room.room.closed) return;
    const recordings = this.#recordingsOf(room);
    if (recordings.has(producer.id)) return;
    recordings.set(producer.id, this.#start(room, producer, this.#restarts.get(room)?.get(producer.id) ?? 0));
  }

  /** The producer closed: its file is finalized. */
  async producerClosed(room: InterviewRoom, producerId: string): Promise<void> {
    const recordings = this.#rooms.get(room);
    const pending = recordings?.get(producerId);
    if (!pending) return;
    recordings!.delete(producerId);
    const finishing = (async () => {
      const recording = await pending;
      if (recording) await this.#finish(recording).catch((error) => this.#options.logger.error({ err: error, path: recording.path }, 'recording did not finalize'));
    })();
    // stopRoom waits for it too: a file still being finalized (or rewritten) when the room closes is the room's.
    let finishes = this.#closing.get(room);
    if (!finishes) this.#closing.set(room, (finishes = new Set()));
    finishes.add(finishing);
    await finishing;
    finishes.delete(finishing);
  }

  /** Finalizes the room's recordings, those whose producer closed before included: before its router closes, or once its worker died. */
  async stopRoom(room: InterviewRoom): Promise<void> {
    const recordings = this.#rooms.get(room);
    await Promise.all([...(recordings?.keys() ?? [])].map((producerId) => this.producerClosed(room, producerId)));
    await Promise.all([...(this.#closing.get(room) ?? new Set<Promise<void>>())]);
  }

  #recordingsOf(room: InterviewRoom): Map<string, Promise<Recording | undefined>> {
    let recordings = this.#rooms.get(room);
    if (!recordings) this.#rooms.set(room, (recordings = new Map<string, Promise<Recording | undefined>>()));
    return recordings;
  }

  async #start(room: InterviewRoom, producer: TaggedProducer, restart: number): Promise<Recording | undefined> {
    const { logger, store } = this.#options;
    const { role, candidateId, source } = producer.tags;
    const kind = TRACK_KIND[source];
    try {
      const recording = await Recording.start({
        room: room.room,
        producerId: producer.id,
        directory: join(this.#options.dataDir, 'recordings', room.interviewId),
        // Producer ids are unique: a reconnect's track never overwrites the one before, nor does a restart.
        name: `${candidateId ?? 'host'}-${kind.toLowerCase()}-${producer.id}${restart > 0 ? `-${restart}` : ''}`,
        ffmpegPath: this.#options.ffmpegPath!,
        maxBytes: this.#options.maxBytes,
        logger,
        onEnded: (ended, end) => this.#ended(room, ended, end),
      });
      this.#active++;
      await store
        .started({ id: recording.id, interviewId: room.interviewId, candidateId, participant: role, kind, path: recording.path, startedAt: recording.startedAt })
        .catch(async (error: unknown) => {
          // A file without its row would be invisible to the report and to retention.
          await recording.stop();
          this.#active--;
          throw error;
        });
      return recording;
    } catch (error) {
      logger.error({ err: error, interviewId: room.interviewId, candidateId, source }, 'recording did not start');
      return undefined;
    }
  }

  /**
   * ffmpeg ended without being asked. At its size cap the file is finalized and this track's
   * recording is over (the participant's next producer, a reconnect, starts a new file). When
   * ffmpeg failed or its input went quiet while the producer lives on, the rest of the track goes
   * to a new file on the same timeline, a few times at most.
   */
  #ended(room: InterviewRoom, recording: Recording, end: RecordingEnd): void {
    const { logger, maxBytes } = this.#options;
    const { producerId } = recording;
    if (end === 'size-limit') logger.warn({ interviewId: room.interviewId, path: recording.path, maxBytes }, 'recording stopped at its size cap');
    void this.producerClosed(room, producerId).then(() => {
      const producer = room.room.closed ? undefined : room.room.producer(producerId);
      if (end === 'size-limit' || !producer) return;
      let restarts = this.#restarts.get(room);
      if (!restarts) this.#restarts.set(room, (restarts = new Map<string, number>()));
      const restart = (restarts.get(producerId) ?? 0) + 1;
      if (restart > MAX_RESTARTS) {
        logger.error({ interviewId: room.interviewId, producerId, end }, 'recording ended again: the rest of this track is not recorded');
        return;
      }
      restarts.set(producerId, restart);
      logger.warn({ interviewId: room.interviewId, producerId, end, restart }, 'recording ended early: the rest of the track goes to a new file');
      this.record(room, producer);
    });
  }

  #finish(recording: Recording): Promise<void> {
    let finishing = this.#finishing.get(recording);
    if (!finishing) {
      finishing = (async () => {
        const endedAt = await recording.stop();
        this.#active--;
        const bytes = await stat(recording.path).then(
          (info) => info.size,
          () => null,
        );
        await this.#options.store.ended(recording.id, endedAt, bytes);
      })();
      this.#finishing.set(recording, finishing);
    }
    return finishing;
  }
}
