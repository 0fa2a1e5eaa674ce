// An OpenAI-compatible transcription service (`POST /v1/audio/transcriptions`, verbose_json with
// segment timestamps): OpenAI's Whisper API, or a self-hosted server speaking the same protocol.
// Only the track's speech is sent, in chunks under the upload limit (see speech-chunks.ts), one
// request after another; each chunk's segments are placed back on the track's clock.
import { readWavSamples } from '../audio.ts';
import type { VoiceSegment } from '../vad.ts';
import type { TranscribedSegment, TranscriptionEngine } from './engine.ts';
import { callService } from './service-call.ts';
import { speechChunks, type SpeechChunk } from './speech-chunks.ts';

export interface OpenAiEngineOptions {
  /** The API base, with or without a trailing `/v1`. */
  url: string;
  apiKey: string | undefined;
  model: string;
  /** Longest one request (one chunk) may take. */
  timeoutMs: number;
  /** The largest WAV file sent in one request (OpenAI refuses files over 25 MiB). */
  maxUploadBytes: number;
}

interface VerboseSegment {
  start: number;
  end: number;
  text: string;
  avg_logprob?: number;
}

export class OpenAiTranscriptionEngine implements TranscriptionEngine {
  readonly name = 'openai';
  readonly processor: string;
  readonly #options: OpenAiEngineOptions;
  readonly #endpoint: URL;

  constructor(options: OpenAiEngineOptions) {
    this.#options = options;
    this.processor = new URL(options.url).host;
    this.#endpoint = new URL(`${options.url.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/audio/transcriptions`);
  }

  async transcribe(wav: string, voice: VoiceSegment[]): Promise<TranscribedSegment[]> {
    if (voice.length === 0) return [];
    const segments: TranscribedSegment[] = [];
    for (const chunk of speechChunks(await readWavSamples(wav), voice, this.#options.maxUploadBytes)) segments.push(...(await this.#transcribeChunk(chunk)));
    return segments;
  }

  async #transcribeChunk(chunk: SpeechChunk): Promise<TranscribedSegment[]> {
    const form = new FormData();
    form.set('file', new Blob([chunk.wav()], { type: 'audio/wav' }), 'audio.wav');
    form.set('model', this.#options.model);
    form.set('response_format', 'verbose_json');
    form.append('timestamp_granularities[]', 'segment');
    const body = await callService<{ segments?: VerboseSegment[] }>(`transcription service ${this.processor}`, this.#endpoint, {
      method: 'POST',
      headers: this.#options.apiKey ? { authorization: `Bearer ${this.#options.apiKey}` } : {},
      body: form,
      signal: AbortSignal.timeout(this.#options.timeoutMs),
    });
    if (!Array.isArray(body.segments)) throw new Error(`transcription service ${this.processor} answered without segments (verbose_json)`);
    return body.segments.flatMap((s) => {
      const text = String(s.text ?? '').trim();
      if (!text || !Number.isFinite(s.start) || !Number.isFinite(s.end)) return [];
      const startMs = chunk.trackMs(s.start * 1000, 'start');
      const endMs = chunk.trackMs(s.end * 1000, 'end');
      // Nothing of the track under it: the engine heard words in a pause this chunk silenced.
      if (endMs <= startMs) return [];
      // Whisper gives the mean log-probability of the segment's tokens: its exponent is a fair 0–1 confidence.
      const confidence = typeof s.avg_logprob === 'number' ? Math.min(1, Math.max(0, Math.exp(s.avg_logprob))) : 0.5;
      return [{ startMs, endMs, text, confidence }];
    });
  }
}
