// Speech in two jobs. The report job finds who spoke when before it renders (see reports.ts):
// every track is decoded to 16 kHz mono by ffmpeg and libfvad finds the speaking segments, in
// seconds for an hour, stored on the interview clock with a PENDING transcription in the same
// transaction. Once the first report is out, the transcribe-speech job has the configured engine
// transcribe the tracks (minutes to tens of minutes), stores the transcript, and the report is made
// again as a new version with its questions and answers. Each is done once per candidate: a retried
// report reuses the speaking segments; a retried transcription starts over. A failed analysis is
// stored (FAILED with the reason) and the report goes on without the speech sections; a
// transcription that fails for good makes a new version that says so.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type OrgActor } from '../auth/actor.ts';
import type { Config } from '../config.ts';
import { Candidate, SpeechStatus, TranscriptionStatus, WebhookEvent } from '../db/entities.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-runner.ts';
import type { Logger } from '../log.ts';
import * as validate from '../validate.ts';
import type { WebhookService } from '../webhooks/webhooks.ts';
import { decodeToWav, readWavSamples } from './audio.ts';
import { AssemblyAiEngine } from './engines/assemblyai.ts';
import type { TranscriptionEngine } from './engines/engine.ts';
import { OpenAiTranscriptionEngine } from './engines/openai.ts';
import { PocketsphinxEngine } from './engines/pocketsphinx.ts';
import { MAX_QUERY_LENGTH, SpeechStore, type SpeakingRow, type TranscriptRow } from './speech-store.ts';
import type { SpeechTrack, TrackSource } from './tracks.ts';
import { detectVoice, type VoiceSegment } from './vad.ts';

/** The note of an analysis that found no recorded audio to analyse. */
export const NO_AUDIO_NOTE = 'no recorded audio';

/** The note of an analysis that left tracks out (null: none left out). */
function emptyTracksNote(empty: number): string | null {
  if (empty === 0) return null;
  return `${empty} microphone ${empty === 1 ? 'track holds' : 'tracks hold'} no audio (the recorder received nothing) and ${empty === 1 ? 'is' : 'are'} left out`;
}

export interface SpeechServiceOptions {
  orm: MikroORM;
  logger: Logger;
  webhooks: WebhookService;
  ffmpegPath: string;
  /** Undefined when transcription is off (then only speaking segments are stored). */
  engine: TranscriptionEngine | undefined;
  tracks: TrackSource;
  /** Transcript turns below this confidence are not quoted in reports. */
  minConfidence: number;
  /** Runs of the transcribe-speech job before a transcription is FAILED. */
  attempts: number;
  /**
   * Within the transaction that settles a candidate's transcription (DONE, or FAILED for good): the
   * report is due a new version. Returns what to do once committed.
   */
  transcriptSettled: (tx: EntityManager, interviewId: string, candidateId: string) => Promise<() => Promise<void>>;
}

/** What the API and the report show of a candidate's transcript. */
export interface TranscriptView {
  /** NONE until the report job has analysed the audio; FAILED when the analysis or the transcription failed (see note). */
  status: 'NONE' | TranscriptionStatus;
  engine: string | null;
  /** Machine transcripts are approximate: shown as such wherever they appear. */
  approximate: boolean;
  note: string | null;
  /** Share of the tracks transcribed, 0–1 (1 once DONE). */
  progress: number;
  segments: TranscriptRow[];
}

export interface SpeechSection {
  speaking: SpeakingRow[];
  transcript: TranscriptView;
  minConfidence: number;
}

/**
 * What a report says of a transcript in this status: PENDING while it is still to come (queued or
 * running), else the status itself; null without speech analysis. A report version records it.
 */
export function transcriptShown(status: TranscriptView['status'] | undefined): TranscriptionStatus | null {
  if (status === undefined || status === 'NONE') return null;
  return status === TranscriptionStatus.RUNNING ? TranscriptionStatus.PENDING : status;
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

/** A segment of a track, placed on the interview clock and given the track's speaker. */
function place<T extends { startMs: number; endMs: number }>(track: SpeechTrack, segment: T): T & { speaker: SpeechTrack['speaker'] } {
  return { ...segment, speaker: track.speaker, startMs: segment.startMs + track.offsetMs, endMs: segment.endMs + track.offsetMs };
}

const byStart = (a: { startMs: number }, b: { startMs: number }) => a.startMs - b.startMs;

export class SpeechService {
  readonly #options: SpeechServiceOptions;
  readonly #store: SpeechStore;
  #queue: JobQueue | undefined;

  constructor(options: SpeechServiceOptions) {
    this.#options = options;
    this.#store = new SpeechStore(options.orm);
  }

  useQueue(queue: JobQueue): void {
    this.#queue = queue;
  }

  /** Who receives interview audio for transcription, when it leaves this server (the consent page names it). */
  get remoteProcessor(): string | undefined {
    return this.#options.engine?.processor;
  }

  get transcribing(): boolean {
    return this.#options.engine !== undefined;
  }

  /**
   * The report job's part: finds who spoke when in the candidate's interview audio unless already
   * done, and records the transcription that follows (PENDING; DONE at once when nobody spoke; OFF
   * when transcription is off).
   */
  async detectSpeaking(interviewId: string, candidateId: string): Promise<void> {
    if (await this.#store.analysisOf(candidateId)) return;
    const engine = this.#options.engine;
    try {
      const speaking: SpeakingRow[] = [];
      const { read, empty } = await this.#eachTrack(interviewId, candidateId, async (track, _wav, voice) => void speaking.push(...voice.map((s) => place(track, s))));
      if (empty > 0) this.#options.logger.warn({ interviewId, candidateId, empty }, 'microphone tracks without audio (their recorders received nothing) are left out');
      await this.#store.save(interviewId, candidateId, {
        status: SpeechStatus.DONE,
        note: read === 0 ? NO_AUDIO_NOTE : emptyTracksNote(empty),
        speaking: speaking.sort(byStart),
        transcription: engine
          ? { status: speaking.length > 0 ? TranscriptionStatus.PENDING : TranscriptionStatus.DONE, engine: engine.name }
          : { status: TranscriptionStatus.OFF, engine: null },
      });
    } catch (error) {
      const note = (error as Error).message || String(error);
      this.#options.logger.warn({ err: error, interviewId, candidateId }, 'speech analysis failed; the report goes on without it');
      await this.#store.save(interviewId, candidateId, { status: SpeechStatus.FAILED, note, speaking: [], transcription: null });
    }
  }

  /** Enqueues the candidate's transcription when it waits for its job (the report job calls this once a version is out). */
  async enqueueTranscription(candidateId: string): Promise<void> {
    const row = await this.#store.transcriptionOf(candidateId);
    if (row?.status !== TranscriptionStatus.PENDING) return;
    try {
      await this.#queue?.enqueueOnce('transcribe-speech', { transcriptionId: row.id });
    } catch (error) {
      this.#options.logger.warn({ err: error, candidateId }, 'could not enqueue jobs; the pending-work sweep will');
    }
  }

  /** The pending-work sweep: enqueues transcriptions left unfinished for longer than `olderThanMs`. */
  async resumePending(olderThanMs: number): Promise<number> {
    const ids = await this.#store.transcriptions.unfinishedOlderThan(olderThanMs);
    for (const transcriptionId of ids) await this.#queue?.enqueueOnce('transcribe-speech', { transcriptionId });
    return ids.length;
  }

  /**
   * The transcribe-speech job: transcribes every track (progress per track), then stores the
   * transcript as DONE with its transcript.ready deliveries and the report's new version in one
   * transaction. The last failed run settles it FAILED, and the report is made again to say so.
   */
  async transcribe(transcriptionId: string): Promise<void> {
    const row = await this.#store.claimTranscription(transcriptionId);
    if (!row) return; // settled already, or its interview's data is gone
    try {
      const engine = this.#options.engine;
      if (!engine) throw new Error('transcription is off in this process (PROCTOR_TRANSCRIBE, or no engine installed)');
      const transcript: TranscriptRow[] = [];
      await this.#eachTrack(row.interviewId, row.candidateId, async (track, wav, voice, index, count) => {
        transcript.push(...(await engine.transcribe(wav, voice)).map((s) => place(track, s)));
        await this.#store.transcriptions.progress(row.id, (index + 1) / count);
      });
      const afterCommit = await this.#store.transaction(async (tx) => {
        await this.#store.markTranscribed(tx, row, engine.name, transcript.sort(byStart));
        const deliveries = await this.#options.webhooks.record(tx, row.orgId, WebhookEvent.TRANSCRIPT_READY, {
          interviewId: row.interviewId,
          candidateId: row.candidateId,
          engine: engine.name,
          approximate: true,
          segments: transcript.length,
        });
        const afterReport = await this.#options.transcriptSettled(tx, row.interviewId, row.candidateId);
        return async () => {
          await afterReport();
          await this.#options.webhooks
            .enqueue(deliveries)
            .catch((error: unknown) => this.#options.logger.warn({ err: error, transcriptionId }, 'could not enqueue jobs; the pending-work sweep will'));
        };
      });
      await afterCommit();
    } catch (error) {
      const message = `attempt ${row.attempts} of ${this.#options.attempts}: ${(error as Error).message || String(error)}`;
      if (row.attempts < this.#options.attempts) {
        await this.#store.markTranscriptionFailedAttempt(transcriptionId, message, TranscriptionStatus.PENDING);
        throw error;
      }
      this.#options.logger.error({ err: error, transcriptionId }, 'transcription failed for good');
      const afterCommit = await this.#store.transaction(async (tx) => {
        await this.#store.markTranscriptionFailedAttempt(transcriptionId, message, TranscriptionStatus.FAILED, tx);
        return this.#options.transcriptSettled(tx, row.interviewId, row.candidateId);
      });
      await afterCommit();
    }
  }

  /** What the report shows: the speaking segments and the transcript. */
  async section(candidateId: string): Promise<SpeechSection> {
    return { speaking: await this.#store.speakingOf(candidateId), transcript: await this.#view(candidateId), minConfidence: this.#options.minConfidence };
  }

  /** What a report made now would say of the candidate's transcript (see `transcriptShown`), without loading the transcript. */
  async shownStatus(candidateId: string): Promise<TranscriptionStatus | null> {
    return transcriptShown((await this.#view(candidateId, undefined, false)).status);
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

  /** Decodes each of the candidate's tracks in turn and hands it, with its voice segments, to `visit`; returns how many were read, and how many left out for holding no audio. */
  async #eachTrack(
    interviewId: string,
    candidateId: string,
    visit: (track: SpeechTrack, wav: string, voice: VoiceSegment[], index: number, count: number) => Promise<void>,
  ): Promise<{ read: number; empty: number }> {
    const { tracks, empty } = await this.#options.tracks(interviewId, candidateId);
    const dir = await mkdtemp(join(tmpdir(), 'proctor-speech-'));
    try {
      for (const [i, track] of tracks.entries()) {
        const wav = join(dir, `track-${i}.wav`);
        await decodeToWav(this.#options.ffmpegPath, track.path, wav);
        await visit(track, wav, await detectVoice(await readWavSamples(wav)), i, tracks.length);
        await rm(wav, { force: true });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return { read: tracks.length, empty };
  }

  async #view(candidateId: string, query?: string, withSegments = true): Promise<TranscriptView> {
    const analysis = await this.#store.analysisOf(candidateId);
    if (!analysis) return { status: 'NONE', engine: null, approximate: true, note: null, progress: 0, segments: [] };
    const transcription = await this.#store.transcriptionOf(candidateId);
    if (analysis.status === SpeechStatus.FAILED || !transcription) {
      return { status: TranscriptionStatus.FAILED, engine: null, approximate: true, note: analysis.note, progress: 0, segments: [] };
    }
    const done = transcription.status === TranscriptionStatus.DONE;
    return {
      status: transcription.status,
      engine: transcription.engine,
      approximate: true,
      note: transcription.status === TranscriptionStatus.FAILED ? transcription.error : analysis.note,
      progress: transcription.progress,
      segments: done && withSegments ? await this.#store.transcriptOf(candidateId, query) : [],
    };
  }
}
