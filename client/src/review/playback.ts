// Plays a candidate's recording on the interview clock: each file starts at its offset (a
// reconnect starts a new file), the candidate's large, the host's (when one was recorded) small
// beside it, kept in step. Times here are ms after the interview started.

export type TrackRole = 'CANDIDATE' | 'HOST';

export interface Track {
  role: TrackRole;
  url: string;
  offsetMs: number;
}

/** Drift past which the host's video is moved back in step with the candidate's. */
const SYNC_TOLERANCE_S = 0.25;

/** One role's files played in one <video>, switching file as the clock passes an offset. */
class TrackPlayer {
  readonly video: HTMLVideoElement;
  readonly #tracks: Track[];
  #current = -1;

  constructor(video: HTMLVideoElement, tracks: Track[]) {
    this.video = video;
    this.#tracks = [...tracks].sort((a, b) => a.offsetMs - b.offsetMs);
  }

  get empty(): boolean {
    return this.#tracks.length === 0;
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
  readonly #host: TrackPlayer;
  #rate = 1;

  constructor(main: HTMLVideoElement, host: HTMLVideoElement, tracks: Track[]) {
    this.#main = new TrackPlayer(
      main,
      tracks.filter((t) => t.role === 'CANDIDATE'),
    );
    this.#host = new TrackPlayer(
      host,
      tracks.filter((t) => t.role === 'HOST'),
    );
    host.hidden = this.#host.empty;
    host.muted = true;
    main.addEventListener('ended', () => {
      if (this.#main.advance()) void this.play();
    });
    main.addEventListener('timeupdate', () => this.#follow());
    main.addEventListener('play', () => void this.#host.video.play().catch(() => {}));
    main.addEventListener('pause', () => this.#host.video.pause());
    main.addEventListener('loadedmetadata', () => {
      main.playbackRate = this.#rate;
    });
    this.#main.load();
    this.#host.load();
  }

  get hasRecording(): boolean {
    return !this.#main.empty;
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
    if (!this.#host.empty) this.#host.seek(clockMs);
  }

  play(): Promise<void> {
    return this.#main.video.play().catch(() => {});
  }

  pause(): void {
    this.#main.video.pause();
  }

  setRate(rate: number): void {
    this.#rate = rate;
    this.#main.video.playbackRate = rate;
    this.#host.video.playbackRate = rate;
  }

  #follow(): void {
    if (this.#host.empty) return;
    if (Math.abs(this.#host.clockMs - this.#main.clockMs) / 1000 > SYNC_TOLERANCE_S) this.#host.seek(this.#main.clockMs);
  }
}
