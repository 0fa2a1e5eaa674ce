// Plays a candidate's recording on the interview clock: every track is its own file starting at
// its offset (a reconnect starts another), the candidate's camera large, the host's (when one was
// recorded) small beside it, and both microphones, all kept in step with the candidate's camera.
// Times here are ms after the interview started.
import type { RecordingParticipant, TrackKind } from '../../../contract/recording.ts';

export interface Track {
  participant: RecordingParticipant;
  kind: TrackKind;
  url: string;
  offsetMs: number;
}

/** Drift past which a follower is moved back in step with the candidate's camera. */
const SYNC_TOLERANCE_S = 0.25;

/** One participant's tracks of one kind played in one media element, switching file as the clock passes an offset. */
class TrackPlayer {
  readonly video: HTMLMediaElement;
  readonly #tracks: Track[];
  #current = -1;

  constructor(video: HTMLMediaElement, tracks: Track[]) {
    this.video = video;
    this.#tracks = [...tracks].sort((a, b) => a.offsetMs - b.offsetMs);
  }

  get empty(): boolean {
    return this.#tracks.length === 0;
  }

  /** Whether a track has started by `clockMs` (before its first track, this one stays silent and still). */
  covers(clockMs: number): boolean {
    return !this.empty && this.#tracks[0]!.offsetMs <= clockMs;
  }

  /** The interview clock now (ms). */
  get clockMs(): number {
    const track = this.#tracks[this.#current];
    return track ? track.offsetMs + this.video.currentTime * 1000 : 0;
  }

  /** The file playing at `clockMs` (the last that started before it), ready at that point. */
  seek(clockMs: number): void {
    if (this.empty) return;
    let index = 0;
    for (let i = 0; i < this.#tracks.length; i++) if (this.#tracks[i]!.offsetMs <= clockMs) index = i;
    const track = this.#tracks[index]!;
    if (index !== this.#current) {
      this.#current = index;
      this.video.src = track.url;
    }
    this.video.currentTime = Math.max(0, (clockMs - track.offsetMs) / 1000);
  }

  /** After a file ends: the next one, if any, from its start. */
  advance(): boolean {
    const next = this.#tracks[this.#current + 1];
    if (!next) return false;
    this.seek(next.offsetMs);
    return true;
  }

  load(): void {
    if (!this.empty && this.#current < 0) this.seek(this.#tracks[0]!.offsetMs);
  }
}

export class ClockPlayer {
  readonly #main: TrackPlayer;
  /** The host's camera, then the microphones: each follows the candidate's camera. */
  readonly #followers: TrackPlayer[];
  #rate = 1;
  /** Whether the reviewer asked for playback (and has not paused since). */
  #playing = false;

  constructor(main: HTMLVideoElement, host: HTMLVideoElement, tracks: Track[]) {
    const of = (participant: RecordingParticipant, kind: TrackKind) => tracks.filter((t) => t.participant === participant && t.kind === kind);
    this.#main = new TrackPlayer(main, of('CANDIDATE', 'CAMERA'));
    const hostCamera = new TrackPlayer(host, of('HOST', 'CAMERA'));
    host.hidden = hostCamera.empty;
    host.muted = true;
    const microphones = [of('CANDIDATE', 'MICROPHONE'), of('HOST', 'MICROPHONE')].map((mics) => new TrackPlayer(new Audio(), mics));
    this.#followers = [hostCamera, ...microphones].filter((player) => !player.empty);
    main.addEventListener('ended', () => {
      if (this.#main.advance()) void this.play();
    });
    // A file the browser cannot play (a reconnect whose recorder received nothing leaves a header
    // and no media): the recording goes on with the next file, as after one that ended.
    main.addEventListener('error', () => {
      if (this.#main.advance() && this.#playing) void this.play();
    });
    main.addEventListener('timeupdate', () => this.#follow());
    main.addEventListener('play', () => this.#follow());
    main.addEventListener('pause', () => {
      for (const follower of this.#followers) follower.video.pause();
    });
    main.addEventListener('loadedmetadata', () => {
      main.playbackRate = this.#rate;
    });
    this.#main.load();
    for (const follower of this.#followers) follower.load();
  }

  get hasRecording(): boolean {
    return !this.#main.empty;
  }

  /** Resolves once the candidate's camera shows its first frame, or cannot (no file plays, no recording). */
  firstFrame(): Promise<void> {
    const video = this.#main.video;
    if (this.#main.empty || video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA || video.error) return Promise.resolve();
    return new Promise((resolve) => {
      video.addEventListener('loadeddata', () => resolve(), { once: true });
      // After an unplayable file the next one is already loading (its load cleared the error): wait for it.
      const failed = () => {
        if (!video.error) return;
        video.removeEventListener('error', failed);
        resolve();
      };
      video.addEventListener('error', failed);
    });
  }

  get clockMs(): number {
    return this.#main.clockMs;
  }

  get rate(): number {
    return this.#rate;
  }

  get paused(): boolean {
    return this.#main.video.paused;
  }

  seek(clockMs: number): void {
    this.#main.seek(clockMs);
    for (const follower of this.#followers) follower.seek(clockMs);
  }

  play(): Promise<void> {
    this.#playing = true;
    return this.#main.video.play().catch(() => {});
  }

  pause(): void {
    this.#playing = false;
    this.#main.video.pause();
  }

  setRate(rate: number): void {
    this.#rate = rate;
    this.#main.video.playbackRate = rate;
    for (const follower of this.#followers) follower.video.playbackRate = rate;
  }

  #follow(): void {
    const clockMs = this.#main.clockMs;
    for (const follower of this.#followers) {
      if (!follower.covers(clockMs)) {
        follower.video.pause();
        continue;
      }
      if (Math.abs(follower.clockMs - clockMs) / 1000 > SYNC_TOLERANCE_S) follower.seek(clockMs);
      if (!this.#main.video.paused && follower.video.paused && !follower.video.ended) void follower.video.play().catch(() => {});
    }
  }
}
