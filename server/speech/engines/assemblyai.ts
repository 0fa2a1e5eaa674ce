// AssemblyAI: upload the track, ask for its transcript, poll until it is done; its words (ms
// timestamps, confidence) are grouped into the detector's voice segments. The whole track goes in
// one upload: AssemblyAI takes files up to 2.2 GB and 10 hours, and a 16 kHz WAV of 10 hours is 1.15 GB.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VoiceSegment } from '../vad.ts';
import { wordsIntoSegments, type TranscribedSegment, type TranscriptionEngine } from './engine.ts';
import { callService } from './service-call.ts';

export interface AssemblyAiEngineOptions {
  url: string;
  apiKey: string;
  /** Longest one transcript may take, from upload to done. */
  timeoutMs: number;
  pollEveryMs: number;
}

interface TranscriptAnswer {
  id: string;
  status: 'queued' | 'processing' | 'completed' | 'error';
  error?: string;
  words?: { text: string; start: number; end: number; confidence: number }[];
}

export class AssemblyAiEngine implements TranscriptionEngine {
  readonly name = 'assemblyai';
  readonly processor: string;
  readonly #options: AssemblyAiEngineOptions;

  constructor(options: AssemblyAiEngineOptions) {
    this.#options = options;
    this.processor = `AssemblyAI (${new URL(options.url).host})`;
  }

  async transcribe(wav: string, voice: VoiceSegment[]): Promise<TranscribedSegment[]> {
    if (voice.length === 0) return [];
    const deadline = AbortSignal.timeout(this.#options.timeoutMs);
    const { upload_url: audioUrl } = await this.#call<{ upload_url: string }>(
      '/v2/upload',
      { method: 'POST', body: new Blob([await readFile(wav)]), contentType: 'application/octet-stream' },
      deadline,
    );
    let answer = await this.#call<TranscriptAnswer>(
      '/v2/transcript',
      { method: 'POST', body: JSON.stringify({ audio_url: audioUrl }), contentType: 'application/json' },
      deadline,
    );
    while (answer.status === 'queued' || answer.status === 'processing') {
      await sleep(this.#options.pollEveryMs, undefined, { signal: deadline });
      answer = await this.#call<TranscriptAnswer>(`/v2/transcript/${encodeURIComponent(answer.id)}`, { method: 'GET' }, deadline);
    }
    if (answer.status !== 'completed') throw new Error(`AssemblyAI could not transcribe: ${answer.error ?? answer.status}`);
    const words = (answer.words ?? []).map((w) => ({ word: w.text, startMs: w.start, endMs: w.end, confidence: w.confidence }));
    return wordsIntoSegments(words, voice);
  }

  #call<T>(path: string, request: { method: 'GET' | 'POST'; body?: Blob | string; contentType?: string }, signal: AbortSignal): Promise<T> {
    return callService<T>('AssemblyAI', new URL(path, this.#options.url), {
      method: request.method,
      headers: { authorization: this.#options.apiKey, ...(request.contentType && { 'content-type': request.contentType }) },
      ...(request.body !== undefined && { body: request.body }),
      signal,
    });
  }
}
