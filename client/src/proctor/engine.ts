// The proctor engine: face checks, browser signals and voice activity, debounced, queued and
// delivered; heartbeats with telemetry every 2 s; evidence snapshots for face violations.
import type { InterviewRules } from '../../../contract/interview.ts';
import { AudioMonitor } from './audio-monitor.ts';
import { Debouncer } from './debounce.ts';
import type { DetectedEvent } from './detected-event.ts';
import { EventQueue, type DeliveryResult, type QueuedEvent } from './event-queue.ts';
import type { FaceMonitor } from './face-monitor.ts';
import type { FaceResult } from './face-protocol.ts';
import { FaceRules } from './face-rules.ts';
import { SystemMonitor } from './system-monitor.ts';
import { CANDIDATE_HEARTBEAT_INTERVAL_MS } from '../../../contract/live-events.ts';

export const HEARTBEAT_MS = CANDIDATE_HEARTBEAT_INTERVAL_MS;
const FACE_VIOLATIONS = new Set<DetectedEvent['type']>(['FACE_MISSING', 'MULTIPLE_FACES', 'LOOKING_AWAY']);

export interface Telemetry {
  visible: boolean;
  focused: boolean;
  fullscreen: boolean;
  faceCount: number | null;
  fps: number | null;
}

/** What the engine needs from the server (the page wires it to GraphQL and HTTP). */
export interface ProctorLink {
  reportEvents(sessionId: string, events: QueuedEvent[]): Promise<DeliveryResult>;
  heartbeat(sessionId: string, telemetry: Telemetry): Promise<void>;
  uploadSnapshot(sessionId: string, seq: number, jpeg: Blob): Promise<void>;
}

export interface EngineOptions {
  session: { id: string; startedAt: number };
  rules: InterviewRules;
  link: ProctorLink;
  stream: MediaStream;
  /** Null when face checks are unavailable (no models): the other signals still run. */
  faces: FaceMonitor | null;
  /** Every event as it is queued (the page shows nothing of it; tests and debugging read it). */
  onEvent?: (event: QueuedEvent) => void;
}

export class ProctorEngine {
  readonly #options: EngineOptions;
  readonly #queue: EventQueue;
  readonly #debouncer = new Debouncer();
  readonly #faceRules: FaceRules;
  readonly #system: SystemMonitor;
  readonly #audio: AudioMonitor | undefined;
  readonly #snapshots = new Map<number, Promise<Blob | null>>();
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #faceCount: number | null = null;

  constructor(options: EngineOptions) {
    this.#options = options;
    const sessionId = options.session.id;
    this.#queue = new EventQueue({
      store: sessionStorage,
      sessionId,
      sessionStartedAt: options.session.startedAt,
      send: (events) => options.link.reportEvents(sessionId, events),
      onAcknowledged: (event) => void this.#uploadSnapshot(event.seq),
      onRejected: (event, reason) => console.warn(`proctor: event ${event.type} #${event.seq} refused: ${reason.code} ${reason.message}`),
    });
    this.#faceRules = new FaceRules({ lookAwayDegrees: options.rules.lookAwayDegrees });
    this.#system = new SystemMonitor(options.rules, (event) => this.#detected(event));
    const hasAudio = options.stream.getAudioTracks().length > 0;
    this.#audio = options.rules.audioPolicy === 'FLAG' && hasAudio ? new AudioMonitor(options.stream) : undefined;
    this.#audio?.watch((event) => this.#detected(event));
    options.faces?.start((result) => this.#face(result));
    this.#timers.push(setInterval(() => this.#beat(), HEARTBEAT_MS));
    this.#timers.push(setInterval(() => this.#release(), 1000));
    this.#beat();
    // Events a previous page of this session left unacknowledged go out now.
    void this.#queue.flush();
  }

  /** After a reconnect: deliver what waited, and show a sign of life at once. */
  resume(): void {
    void this.#queue.flush();
    this.#beat();
  }

  get pendingEvents(): number {
    return this.#queue.pending.length;
  }

  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#options.faces?.stop();
    this.#system.close();
    this.#audio?.close();
    this.#queue.close();
  }

  #face(result: FaceResult): void {
    this.#faceCount = result.faces;
    for (const event of this.#faceRules.feed({ at: result.at, faces: result.faces, yaw: result.yaw, pitch: result.pitch, score: result.score })) {
      this.#detected(event);
    }
  }

  #detected(event: DetectedEvent): void {
    for (const ready of this.#debouncer.push(event)) this.#enqueue(ready);
  }

  #release(): void {
    for (const ready of this.#debouncer.due(Date.now())) this.#enqueue(ready);
  }

  #enqueue(event: DetectedEvent): void {
    const queued = this.#queue.add(event);
    // Taken now (the frame that shows it), sent once the event is acknowledged and linked.
    if (FACE_VIOLATIONS.has(event.type) && this.#options.faces) this.#snapshots.set(queued.seq, this.#options.faces.snapshot());
    this.#options.onEvent?.(queued);
  }

  async #uploadSnapshot(seq: number): Promise<void> {
    const pending = this.#snapshots.get(seq);
    if (!pending) return;
    this.#snapshots.delete(seq);
    const jpeg = await pending;
    if (jpeg)
      await this.#options.link.uploadSnapshot(this.#options.session.id, seq, jpeg).catch((error: Error) => console.warn(`proctor: snapshot not uploaded: ${error.message}`));
  }

  #beat(): void {
    const telemetry: Telemetry = {
      visible: document.visibilityState === 'visible',
      focused: document.hasFocus(),
      fullscreen: Boolean(document.fullscreenElement),
      faceCount: this.#faceCount,
      fps: this.#options.faces ? this.#options.faces.fps : null,
    };
    this.#options.link.heartbeat(this.#options.session.id, telemetry).catch(() => {
      // The socket is down: the reconnect resumes heartbeats; the watchdog judges the silence.
    });
  }
}
