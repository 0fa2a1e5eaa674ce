// The speech job's work, run for each candidate before their report is rendered (see
// reports.ts): every track is decoded to 16 kHz mono by ffmpeg, libfvad finds the speaking
// segments, the configured engine transcribes them, and the results are stored on the interview
// clock. Done once per candidate: a retried report reuses what is stored. A failure is stored
// (FAILED with the reason) and the report goes on without the speech sections.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type OrgActor } from '../auth/actor.ts';
import type { Config } from '../config.ts';
import { Candidate, SpeechStatus } from '../db/entities.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import * as validate from '../validate.ts';
import { decodeToWav, readWavSamples } from './audio.ts';
import { AssemblyAiEngine } from './engines/assemblyai.ts';
import type { TranscriptionEngine } from './engines/engine.ts';
import { OpenAiTranscriptionEngine } from './engines/openai.ts';
import { PocketsphinxEngine } from './engines/pocketsphinx.ts';
import { MAX_QUERY_LENGTH, SpeechStore, type SpeakingRow, type TranscriptRow } from './speech-store.ts';
import type { TrackSource } from './tracks.ts';
import { detectVoice } from './vad.ts';

/** The note of an analysis that found no recorded audio to analyse. */
export const NO_AUDIO_NOTE = 'no recorded audio';

export interface SpeechServiceOptions {
  orm: MikroORM;
  logger: Logger;
  ffmpegPath: string;
  /** Undefined when transcription is off (then only speaking segments are stored). */
  engine: TranscriptionEngine | undefined;
  tracks: TrackSource;
  /** Transcript turns below this confidence are not quoted in reports. */
  minConfidence: number;
}

/** What the API and the report show of a candidate's transcript. */
export interface TranscriptView {
  status: 'NONE' | SpeechStatus;
  engine: string | null;
  /** Machine transcripts are approximate: shown as such wherever they appear. */
  approximate: boolean;
  note: string | null;
  segments: TranscriptRow[];
}

export interface SpeechSection {
  speaking: SpeakingRow[];
  transcript: TranscriptView;
  minConfidence: number;
}

/**
 * Which engine transcribes: a remote one when configured (AssemblyAI, then an OpenAI-compatible
 * URL), else pocketsphinx when installed. Returns the engine, or why transcription is off.
 */
export function chooseEngine(
  config: Pick<
    Config,
    'transcribe' | 'pocketsphinxPath' | 'transcribeUrl' | 'transcribeKey' | 'transcribeModel' | 'transcribeMaxUploadBytes' | 'assemblyAiKey' | 'assemblyAiUrl'
  >,
): { engine: TranscriptionEngine } | { off: string } {
  if (!config.transcribe) return { off: 'transcription is off (PROCTOR_TRANSCRIBE=false)' };
  if (config.assemblyAiKey) return { engine: new AssemblyAiEngine({ url: config.assemblyAiUrl, apiKey: config.assemblyAiKey, timeoutMs: 30 * 60_000, pollEveryMs: 3_000 }) };
  if (config.transcribeUrl) {
    const { transcribeUrl: url, transcribeKey: apiKey, transcribeModel: model, transcribeMaxUploadBytes: maxUploadBytes } = config;
    return { engine: new OpenAiTranscriptionEngine({ url, apiKey, model, maxUploadBytes, timeoutMs: 10 * 60_000 }) };
  }
  const binary = PocketsphinxEngine.locate(config.pocketsphinxPath);
  if (!binary) {
    return {
      off: `transcription off: ${config.pocketsphinxPath} not found (apt-get install pocketsphinx pocketsphinx-en-us, or set PROCTOR_TRANSCRIBE_URL / PROCTOR_ASSEMBLYAI_KEY; PROCTOR_TRANSCRIBE=false silences this)`,
    };
  }
  return { engine: new PocketsphinxEngine(binary) };
}

export class SpeechService {
  readonly #options: SpeechServiceOptions;
  readonly #store: SpeechStore;

  constructor(options: SpeechServiceOptions) {
    this.#options = options;
    this.#store = new SpeechStore(options.orm);
  }

  /** Who receives interview audio for transcription, when it leaves this server (the consent page names it). */
  get remoteProcessor(): string | undefined {
    return this.#options.engine?.processor;
  }

  get transcribing(): boolean {
    return this.#options.engine !== undefined;
  }

  /** Analyses the candidate's interview audio unless already done. */
  async analyse(interviewId: string, candidateId: string): Promise<void> {
    if (await this.#store.analysisOf(candidateId)) return;
    const engine = this.#options.engine;
    try {
      const tracks = await this.#options.tracks(interviewId, candidateId);
      const speaking: SpeakingRow[] = [];
      const transcript: TranscriptRow[] = [];
      const dir = await mkdtemp(join(tmpdir(), 'proctor-speech-'));
      try {
        for (const [i, track] of tracks.entries()) {
          const wav = join(dir, `track-${i}.wav`);
          await decodeToWav(this.#options.ffmpegPath, track.path, wav);
          const voice = await detectVoice(await readWavSamples(wav));
          const place = <T extends { startMs: number; endMs: number }>(s: T) => ({
            ...s,
            speaker: track.speaker,
            startMs: s.startMs + track.offsetMs,
            endMs: s.endMs + track.offsetMs,
          });
          speaking.push(...voice.map(place));
          if (engine) transcript.push(...(await engine.transcribe(wav, voice)).map(place));
          await rm(wav, { force: true });
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      await this.#store.save(interviewId, candidateId, {
        status: SpeechStatus.DONE,
        engine: engine?.name ?? null,
        note: tracks.length === 0 ? NO_AUDIO_NOTE : null,
        speaking: speaking.sort((a, b) => a.startMs - b.startMs),
        transcript: transcript.sort((a, b) => a.startMs - b.startMs),
      });
    } catch (error) {
      const note = (error as Error).message || String(error);
      this.#options.logger.warn({ err: error, interviewId, candidateId }, 'speech analysis failed; the report goes on without it');
      await this.#store.save(interviewId, candidateId, { status: SpeechStatus.FAILED, engine: engine?.name ?? null, note, speaking: [], transcript: [] });
    }
  }

  /** What the report shows: the speaking segments and the transcript. */
  async section(candidateId: string): Promise<SpeechSection> {
    return { speaking: await this.#store.speakingOf(candidateId), transcript: await this.#view(candidateId), minConfidence: this.#options.minConfidence };
  }

  /**
   * A candidate's transcript for a host or token of the interview's org (`candidateId` may be left
   * out when the interview has one candidate); `query` keeps the segments containing it.
   */
  async transcript(actor: OrgActor, interviewId: string, candidateId?: string | null, query?: string | null): Promise<TranscriptView> {
    if (!validate.isUuid(interviewId) || !reachesInterview(actor, interviewId)) throw new NotFoundError('Interview', interviewId);
    if (candidateId != null && !validate.isUuid(candidateId)) throw new NotFoundError('Candidate', candidateId);
    const search = query?.trim();
    if (query != null && (!search || search.length > MAX_QUERY_LENGTH)) throw new ValidationError('query', `must be 1 to ${MAX_QUERY_LENGTH} characters`);
    const candidates = await this.#options.orm.em
      .fork()
      .find(Candidate, { interview: { id: interviewId, org: actor.orgId }, ...(candidateId != null && { id: candidateId }) }, { fields: ['id'] });
    if (candidates.length === 0) throw candidateId != null ? new NotFoundError('Candidate', candidateId) : new NotFoundError('Interview', interviewId);
    if (candidates.length > 1) throw new ValidationError('candidateId', 'this interview has several candidates: name one');
    return this.#view(candidates[0]!.id, search);
  }

  /** Retention: speech data of interviews whose recordings have expired. */
  deleteExpired(now: Date): Promise<number> {
    return this.#store.deleteExpired(now);
  }

  async #view(candidateId: string, query?: string): Promise<TranscriptView> {
    const analysis = await this.#store.analysisOf(candidateId);
    if (!analysis) return { status: 'NONE', engine: null, approximate: true, note: null, segments: [] };
    return {
      status: analysis.status,
      engine: analysis.engine,
      approximate: true,
      note: analysis.note,
      segments: analysis.engine ? await this.#store.transcriptOf(candidateId, query) : [],
    };
  }
}
