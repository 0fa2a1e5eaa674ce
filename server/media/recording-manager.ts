// Candidates' recordings: one file per set of a candidate's camera and mic streams, started once
// their producers settle, started anew when that set changes or the file reaches its size cap,
// and finalized when the room closes or its worker dies.
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import { watchedCandidate, type InterviewRoom } from './interview-room.ts';
import { Recording, type RecordingEnd } from './recording.ts';
import type { RecordingStore } from './recording-store.ts';

/** Producers of a candidate arriving within this window go into the same recording file. */
const RECORDING_SETTLE_MS = 1000;

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

/** One room's recordings: per candidate, the file being written (or started), and the settle timer. */
interface RoomRecordings {
  recordings: Map<string, Promise<Recording | undefined>>;
  timers: Map<string, NodeJS.Timeout>;
}

export class RecordingManager {
  readonly #options: RecordingManagerOptions;
  readonly #rooms = new WeakMap<InterviewRoom, RoomRecordings>();
  /** Each recording is finalized once, whoever asks first (its size cap, a producer change, the room's end). */
  readonly #finishing = new WeakMap<Recording, Promise<void>>();
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

  /** (Re)starts the candidate's recording once their producers settle; one file per set of streams. */
  schedule(room: InterviewRoom, candidateId: string): void {
    if (!this.enabled) return;
    const state = this.#stateOf(room);
    clearTimeout(state.timers.get(candidateId));
    state.timers.set(
      candidateId,
      setTimeout(() => {
        state.timers.delete(candidateId);
        const previous = state.recordings.get(candidateId) ?? Promise.resolve(undefined);
        state.recordings.set(
          candidateId,
          previous.then((running) => this.#rotate(room, state, candidateId, running)),
        );
      }, RECORDING_SETTLE_MS),
    );
  }

  /** Finalizes the room's recordings: before its router closes, or once its worker died. */
  async stopRoom(room: InterviewRoom): Promise<void> {
    const state = this.#rooms.get(room);
    if (!state) return;
    for (const timer of state.timers.values()) clearTimeout(timer);
    state.timers.clear();
    const running = await Promise.all(state.recordings.values());
    state.recordings.clear();
    await Promise.all(
      running
        .filter((recording) => recording !== undefined)
        .map((recording) => this.#finish(recording).catch((error) => this.#options.logger.error({ err: error }, 'recording did not finalize'))),
    );
  }

  #stateOf(room: InterviewRoom): RoomRecordings {
    let state = this.#rooms.get(room);
    if (!state) this.#rooms.set(room, (state = { recordings: new Map(), timers: new Map() }));
    return state;
  }

  async #rotate(room: InterviewRoom, state: RoomRecordings, candidateId: string, running: Recording | undefined): Promise<Recording | undefined> {
    if (room.room.closed) return running;
    const producers = room.room.producers().filter((producer) => watchedCandidate(producer) === candidateId);
    if (running && producers.length === running.producerIds.size && producers.every((p) => running.producerIds.has(p.id))) return running;
    if (running) await this.#finish(running);
    if (producers.length === 0) return undefined;
    const { logger } = this.#options;
    try {
      const recording = await Recording.start({
        room: room.room,
        producers,
        directory: join(this.#options.dataDir, 'recordings', room.interviewId),
        candidateId,
        ffmpegPath: this.#options.ffmpegPath!,
        maxBytes: this.#options.maxBytes,
        logger,
        onEnded: (recording, end) => this.#ended(room, state, candidateId, recording, end),
      });
      await this.#options.store.started({ id: recording.id, interviewId: room.interviewId, candidateId, path: recording.path, startedAt: recording.startedAt });
      this.#active++;
      return recording;
    } catch (error) {
      logger.error({ err: error, candidateId }, 'recording did not start');
      return undefined;
    }
  }

  /**
   * ffmpeg ended without being asked: the file reached its size cap (finalized, playable) or
   * ffmpeg failed. Either way the recording is over; the candidate's next change of streams
   * starts a new file.
   */
  #ended(room: InterviewRoom, state: RoomRecordings, candidateId: string, recording: Recording, end: RecordingEnd): void {
    const { logger, maxBytes } = this.#options;
    const detail = { interviewId: room.interviewId, candidateId, path: recording.path };
    if (end === 'size-limit') logger.warn({ ...detail, maxBytes }, 'recording stopped at its size cap');
    const current = state.recordings.get(candidateId);
    if (!current) return;
    state.recordings.set(
      candidateId,
      current.then(async (running) => {
        if (running !== recording) return running;
        await this.#finish(recording).catch((error) => logger.error({ err: error, ...detail }, 'recording did not finalize'));
        return undefined;
      }),
    );
  }

  #finish(recording: Recording): Promise<void> {
    let finishing = this.#finishing.get(recording);
    if (!finishing) {
      finishing = (async () => {
        const endedAt = await recording.stop();
        this.#active--;
        await this.#options.store.ended(recording.id, endedAt);
      })();
      this.#finishing.set(recording, finishing);
    }
    return finishing;
  }
}
