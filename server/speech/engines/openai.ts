// An OpenAI-compatible transcription service (`POST /v1/audio/transcriptions`, verbose_json with
// segment timestamps): OpenAI's Whisper API, or a self-hosted server speaking the same protocol.
import { readFile } from 'node:fs/promises';
import type { TranscribedSegment, TranscriptionEngine } from './engine.ts';
import { callService } from './service-call.ts';

export interface OpenAiEngineOptions {
  /** The API base, with or without a trailing `/v1`. */
  url: string;
  apiKey: string | undefined;
  model: string;
  timeoutMs: number;
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

  constructor(options: OpenAiEngineOptions) {
    this.#options = options;
    this.processor = new URL(options.url).host;
  }

  async transcribe(wav: string): Promise<TranscribedSegment[]> {
    const form = new FormData();
    form.set('file', new Blob([await readFile(wav)], { type: 'audio/wav' }), 'audio.wav');
    form.set('model', this.#options.model);
    form.set('response_format', 'verbose_json');
    form.append('timestamp_granularities[]', 'segment');
    const base = this.#options.url.replace(/\/+$/, '').replace(/\/v1$/, '');
    const body = await callService<{ segments?: VerboseSegment[] }>(`transcription service ${this.processor}`, new URL(`${base}/v1/audio/transcriptions`), {
      method: 'POST',
      headers: this.#options.apiKey ? { authorization: `Bearer ${this.#options.apiKey}` } : {},
      body: form,
      signal: AbortSignal.timeout(this.#options.timeoutMs),
    });
    if (!Array.isArray(body.segments)) throw new Error(`transcription service ${this.processor} answered without segments (verbose_json)`);
    return body.segments.flatMap((s) => {
      const text = String(s.text ?? '').trim();
      if (!text || !Number.isFinite(s.start) || !Number.isFinite(s.end)) return [];
      // Whisper gives the mean log-probability of the segment's tokens: its exponent is a fair 0–1 confidence.
      const confidence = typeof s.avg_logprob === 'number' ? Math.min(1, Math.max(0, Math.exp(s.avg_logprob))) : 0.5;
      return [{ startMs: Math.round(s.start * 1000), endMs: Math.round(s.end * 1000), text, confidence }];
    });
  }
}
