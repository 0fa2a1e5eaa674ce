// Composite recordings: one MP4 per recorded candidate, composed after the interview ends. Ending an
// interview records a PENDING row per candidate with a recording (in the transaction of the end);
// the compose-recording job waits a little for the recorders to finalize their files, renders the
// composite (composite.ts) with its progress in the row, marks it READY with its recording.ready
// deliveries in one transaction, or FAILED once its retries are spent. The MP4 lives beside the
// track files, so the retention sweep deletes it with them.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type OrgActor } from '../auth/actor.ts';
import type { TokenSigner } from '../auth/jwt.ts';
import { SignedLinks, type DownloadRequest } from '../auth/signed-links.ts';
import { CompositeStatus, WebhookEvent } from '../db/entities.ts';
import { NotFoundError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-runner.ts';
import type { Logger } from '../log.ts';
import * as validate from '../validate.ts';
import type { WebhookService } from '../webhooks/webhooks.ts';
import type { RecordingParticipant, TrackKind } from '../../contract/recording.ts';
import { renderComposite, type CompositeRole, type CompositeTrack } from './composite.ts';
import { CompositeStore, type CompositeRow } from './composite-store.ts';
import { finalizedRecording } from './finalized-recording.ts';
import { RecordingStore, type CandidateRecording } from './recording-store.ts';

export interface CompositeServiceOptions {
  orm: MikroORM;
  signer: TokenSigner;
  logger: Logger;
  webhooks: WebhookService;
  ffmpegPath: string;
  /** Runs of the job before a composite is FAILED. */
  attempts: number;
  downloadUrlTtlMs: number;
  /** Base URL of download links; undefined where no server listens (a worker without PROCTOR_PUBLIC_URL). */
  publicUrl: () => string | undefined;
}

/** A composite as the API serves it. */
export interface CompositeView {
  id: string;
  status: CompositeStatus;
  /** 0–1: how much of the MP4 is written (1 once READY). */
  progress: number;
  attempts: number;
  error: string | null;
  durationMs: number | null;
  bytes: number | null;
  readyAt: Date | null;
  downloadUrl: string | null;
  downloadUrlExpiresAt: Date | null;
}

export interface CompositeFile {
  path: string;
  bytes: number;
  filename: string;
}

/** Progress is written to the row at most this often. */
const PROGRESS_EVERY_MS = 1_000;

const ROLES: Record<RecordingParticipant, Record<TrackKind, CompositeRole | undefined>> = {
  CANDIDATE: { CAMERA: 'CANDIDATE_CAMERA', MICROPHONE: 'CANDIDATE_AUDIO', SCREEN: 'SCREEN' },
  // A host's screen is theirs, not the candidate's evidence.
  HOST: { CAMERA: 'HOST_CAMERA', MICROPHONE: 'HOST_AUDIO', SCREEN: undefined },
};

/**
 * The candidate's recording as composite tracks on its clock, and how long the composite lasts: to
 * the last track's end (a track whose recorder never finalized it ends with the interview).
 */
export function compositeTracks(recording: CandidateRecording, interviewEndedAt: Date): { tracks: CompositeTrack[]; durationMs: number } {
  const endOfInterviewMs = interviewEndedAt.getTime() - recording.startedAt.getTime();
  const tracks: CompositeTrack[] = [];
  let durationMs = 1;
  for (const track of recording.tracks) {
    const role = ROLES[track.participant][track.kind];
    if (!role) continue;
    tracks.push({ role, path: track.path, offsetMs: track.startMs });
    durationMs = Math.max(durationMs, track.endMs ?? endOfInterviewMs);
  }
  return { tracks, durationMs };
}

export class CompositeService {
  readonly #options: CompositeServiceOptions;
  readonly #store: CompositeStore;
  readonly #recordings: RecordingStore;
  readonly #downloads: SignedLinks;
  #queue: JobQueue | undefined;

  constructor(options: CompositeServiceOptions) {
    this.#options = options;
    this.#store = new CompositeStore(options.orm);
    this.#recordings = new RecordingStore(options.orm);
    this.#downloads = new SignedLinks(options.signer, 'recording-download', options.downloadUrlTtlMs);
  }

  useQueue(queue: JobQueue): void {
    this.#queue = queue;
  }

  /** Within the transaction that ends an interview: PENDING composites; returns what to do once committed (enqueue their jobs). */
  async recordEnded(tx: EntityManager, interviewId: string): Promise<() => Promise<void>> {
    const created = await this.#store.recordPending(tx, interviewId);
    return () => this.#enqueue(created, { interviewId });
  }

  /** The pending-work sweep: enqueues composites left unfinished for longer than `olderThanMs`. */
  async resumePending(olderThanMs: number): Promise<number> {
    const ids = await this.#store.jobs.unfinishedOlderThan(olderThanMs);
    for (const compositeId of ids) await this.#queue?.enqueueOnce('compose-recording', { compositeId });
    return ids.length;
  }

  async #enqueue(ids: string[], context: Record<string, string>): Promise<void> {
    try {
      for (const compositeId of ids) await this.#queue?.enqueue('compose-recording', { compositeId });
    } catch (error) {
      this.#options.logger.warn({ err: error, ...context }, 'could not enqueue jobs; the pending-work sweep will');
    }
  }

  /** The compose-recording job. */
  async compose(compositeId: string): Promise<void> {
    const row = await this.#store.claim(compositeId);
    if (!row) return; // done already, or its interview's data is gone
    try {
      const recording = await finalizedRecording(this.#recordings, this.#options.ffmpegPath, row.interviewId, row.candidateId, row.interviewEndedAt);
      if (!recording) throw new Error('the candidate has no recorded track');
      if (recording.empty.length > 0) {
        const paths = recording.empty.map((track) => track.path);
        this.#options.logger.warn({ compositeId, paths }, 'recorded tracks without media (their recorders received nothing) are left out of the composite');
      }
      if (recording.tracks.length === 0) throw new Error('no recorded track of the candidate holds media');
      const { tracks, durationMs } = compositeTracks(recording, row.interviewEndedAt ?? new Date());
      const output = join(dirname(recording.tracks[0]!.path), `${row.candidateId}-composite.mp4`);
      let lastWrite = 0;
      const started = performance.now();
      const result = await renderComposite({
        ffmpegPath: this.#options.ffmpegPath,
        tracks,
        durationMs,
        output,
        onProgress: (fraction) => {
          if (performance.now() - lastWrite < PROGRESS_EVERY_MS) return;
          lastWrite = performance.now();
          void this.#store.jobs.progress(compositeId, fraction).catch(() => {});
        },
      });
      const deliveries = await this.#store.transaction(async (tx) => {
        await this.#store.markReady(tx, compositeId, { path: output, bytes: result.bytes, durationMs });
        return this.#options.webhooks.record(tx, row.orgId, WebhookEvent.RECORDING_READY, {
          interviewId: row.interviewId,
          candidateId: row.candidateId,
          durationMs,
          bytes: result.bytes,
          ...this.#signedUrl(compositeId),
        });
      });
      this.#options.logger.info({ compositeId, durationMs, bytes: result.bytes, tookMs: Math.round(performance.now() - started) }, 'composite recording ready');
      await this.#options.webhooks
        .enqueue(deliveries)
        .catch((error: unknown) => this.#options.logger.warn({ err: error, compositeId }, 'could not enqueue jobs; the pending-work sweep will'));
    } catch (error) {
      const final = row.attempts >= this.#options.attempts;
      const message = (error as Error).message || String(error);
      await this.#store.markFailedAttempt(
        compositeId,
        `attempt ${row.attempts} of ${this.#options.attempts}: ${message}`,
        final ? CompositeStatus.FAILED : CompositeStatus.PENDING,
      );
      if (final) this.#options.logger.error({ err: error, compositeId }, 'composite recording failed for good');
      else throw error;
    }
  }

  /** The candidate's composite, or null when the candidate was never recorded (or the interview has not ended). */
  async ofCandidate(actor: OrgActor, interviewId: string, candidateId: string): Promise<CompositeView | null> {
    if (!validate.isUuid(interviewId) || !validate.isUuid(candidateId) || !reachesInterview(actor, interviewId)) throw new NotFoundError('Interview', interviewId);
    const row = await this.#store.ofCandidate(interviewId, candidateId);
    if (!row || row.orgId !== actor.orgId) return null;
    return this.#view(row);
  }

  /**
   * The MP4 for a download: with a valid, unexpired signature from a download link, or for a host /
   * API token of its org. The caller is checked before anything is read.
   */
  async file(compositeId: string, access: DownloadRequest): Promise<CompositeFile> {
    if (!validate.isUuid(compositeId)) throw new NotFoundError('Recording', compositeId);
    const orgId = this.#downloads.allowedOrg(compositeId, access, 'recordings');
    const row = await this.#store.byId(compositeId);
    if (!row || (orgId !== undefined && row.orgId !== orgId)) throw new NotFoundError('Recording', compositeId);
    if (row.status !== CompositeStatus.READY || !row.path) throw new NotFoundError(`Recording ${compositeId} is ${row.status}: no file yet`);
    const info = await stat(row.path).catch(() => undefined);
    if (!info) throw new NotFoundError(`Recording ${compositeId} was deleted by the retention policy`);
    return { path: row.path, bytes: info.size, filename: `proctor-recording-${row.candidateId.slice(0, 8)}-${row.interviewId.slice(0, 8)}.mp4` };
  }

  #view(row: CompositeRow): CompositeView {
    const link = row.status === CompositeStatus.READY ? this.#signedUrl(row.id) : {};
    return {
      id: row.id,
      status: row.status,
      progress: row.status === CompositeStatus.READY ? 1 : row.progress,
      attempts: row.attempts,
      error: row.error,
      durationMs: row.durationMs,
      bytes: row.bytes,
      readyAt: row.readyAt,
      downloadUrl: link.downloadUrl ?? null,
      downloadUrlExpiresAt: link.downloadUrlExpiresAt ? new Date(link.downloadUrlExpiresAt) : null,
    };
  }

  #signedUrl(compositeId: string): { downloadUrl?: string; downloadUrlExpiresAt?: string } {
    const base = this.#options.publicUrl();
    if (!base) return {};
    const { query, expiresAt } = this.#downloads.sign(compositeId);
    return { downloadUrl: `${base}/recordings/${compositeId}.mp4?${query}`, downloadUrlExpiresAt: expiresAt.toISOString() };
  }
}
