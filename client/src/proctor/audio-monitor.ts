// Voice activity from the microphone (audioPolicy FLAG): the loudness (RMS) of the speech band
// above a threshold for long enough is AUDIO_DETECTED. Also drives the device check's meter.
import type { DetectedEvent } from './detected-event.ts';

/** A broad band-pass around the speech band (about 300–3400 Hz). */
const SPEECH_CENTRE_HZ = 1000;
const SPEECH_Q = 0.5;
/** RMS of the filtered signal: about -34 dBFS, well above a quiet room, below normal speech. */
const VOICE_LEVEL = 0.02;
const SAMPLE_MS = 100;
/** Speech pauses between syllables: voice is most of the last second loud, not all of it. */
const WINDOW_SAMPLES = 10;
const VOICE_SAMPLES = 6;
const SILENCE_SAMPLES = 2;

export class AudioMonitor {
  readonly #context: AudioContext;
  readonly #analyser: AnalyserNode;
  readonly #samples: Float32Array<ArrayBuffer>;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Times of the loud samples within the last second. */
  #loud: number[] = [];
  #speaking = false;

  constructor(stream: MediaStream) {
    this.#context = new AudioContext();
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = 2048;
    const speechBand = new BiquadFilterNode(this.#context, { type: 'bandpass', frequency: SPEECH_CENTRE_HZ, Q: SPEECH_Q });
    this.#context.createMediaStreamSource(stream).connect(speechBand).connect(this.#analyser);
    this.#samples = new Float32Array(this.#analyser.fftSize);
  }

  /** The speech band's RMS now (0–1; speech is typically 0.02–0.2). */
  level(): number {
    this.#analyser.getFloatTimeDomainData(this.#samples);
    let sum = 0;
    for (const sample of this.#samples) sum += sample * sample;
    return Math.sqrt(sum / this.#samples.length);
  }

  /** Reports voice activity once per stretch of speech. */
  watch(emit: (event: DetectedEvent) => void): void {
    void this.#context.resume();
    this.#timer = setInterval(() => {
      const now = Date.now();
      const level = this.level();
      if (level >= VOICE_LEVEL) this.#loud.push(now);
      this.#loud = this.#loud.filter((at) => now - at < WINDOW_SAMPLES * SAMPLE_MS);
      if (this.#speaking) {
        if (this.#loud.length <= SILENCE_SAMPLES) this.#speaking = false;
      } else if (this.#loud.length >= VOICE_SAMPLES) {
        this.#speaking = true;
        const since = this.#loud[0]!;
        emit({ type: 'AUDIO_DETECTED', occurredAt: since, durationMs: now - since, metadata: { rms: Math.round(level * 1000) / 1000 } });
      }
    }, SAMPLE_MS);
  }

  close(): void {
    clearInterval(this.#timer);
    void this.#context.close();
  }
}
