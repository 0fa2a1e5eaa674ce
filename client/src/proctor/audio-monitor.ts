// Voice activity from the microphone (audioPolicy FLAG): the level in the speech band above a
// threshold for long enough is AUDIO_DETECTED. Also drives the device check's level meter.
import type { DetectedEvent } from './detected-event.ts';

const SPEECH_BAND_HZ = [300, 3400] as const;
const VOICE_LEVEL = 0.12;
const VOICE_MIN_MS = 600;
const SAMPLE_MS = 100;

export class AudioMonitor {
  readonly #context: AudioContext;
  readonly #analyser: AnalyserNode;
  readonly #bins: Uint8Array<ArrayBuffer>;
  readonly #band: [number, number];
  #timer: ReturnType<typeof setInterval> | undefined;
  #voiceSince: number | undefined;
  #reported = false;

  constructor(stream: MediaStream) {
    this.#context = new AudioContext();
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = 1024;
    this.#context.createMediaStreamSource(stream).connect(this.#analyser);
    this.#bins = new Uint8Array(this.#analyser.frequencyBinCount);
    const hzPerBin = this.#context.sampleRate / this.#analyser.fftSize;
    this.#band = [Math.floor(SPEECH_BAND_HZ[0] / hzPerBin), Math.ceil(SPEECH_BAND_HZ[1] / hzPerBin)];
  }

  /** 0–1: the speech-band level now. */
  level(): number {
    this.#analyser.getByteFrequencyData(this.#bins);
    let sum = 0;
    for (let i = this.#band[0]; i <= this.#band[1]; i++) sum += this.#bins[i]!;
    return sum / ((this.#band[1] - this.#band[0] + 1) * 255);
  }

  /** Reports voice activity once per stretch of speech. */
  watch(emit: (event: DetectedEvent) => void): void {
    void this.#context.resume();
    this.#timer = setInterval(() => {
      const now = Date.now();
      if (this.level() < VOICE_LEVEL) {
        this.#voiceSince = undefined;
        this.#reported = false;
        return;
      }
      this.#voiceSince ??= now;
      if (!this.#reported && now - this.#voiceSince >= VOICE_MIN_MS) {
        this.#reported = true;
        emit({ type: 'AUDIO_DETECTED', occurredAt: this.#voiceSince, durationMs: now - this.#voiceSince, metadata: { level: Math.round(this.level() * 100) / 100 } });
      }
    }, SAMPLE_MS);
  }

  close(): void {
    clearInterval(this.#timer);
    void this.#context.close();
  }
}
