// A candidate's recording for the review page: the files RecordingStore lists, placed on the
// interview clock (offset from the interview's start) and served by signed links (a <video>
// cannot send a bearer token; the link names the file by its place in the list, never its path).
import type { MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type OrgActor } from '../auth/actor.ts';
import type { TokenSigner } from '../auth/jwt.ts';
import { Candidate } from '../db/entities.ts';
import { NotFoundError, UnauthenticatedError } from '../errors.ts';
import type { RecordingStore } from '../media/recording-store.ts';
import * as validate from '../validate.ts';
import type { SeekableRecordings } from './seekable-recordings.ts';

const PLAYBACK_PURPOSE = 'recording-playback';

/** Whose camera a track shows: the candidate's (large) or the host's (small, beside it). */
export type TrackRole = 'CANDIDATE' | 'HOST';

export interface RecordingTrack {
  role: TrackRole;
  /** Signed link to the WebM file (HTTP Range supported), valid until urlExpiresAt. */
  url: string;
  urlExpiresAt: Date;
  startedAt: Date;
  /** Where the file starts on the interview clock (ms after the interview started). */
  offsetMs: number;
}

export interface PlaybackAccess {
  interviewId: string;
  candidateId: string;
  index: string;
  expires: string | undefined;
  signature: string | undefined;
}

export interface ReviewMediaOptions {
  orm: MikroORM;
  signer: TokenSigner;
  recordings: RecordingStore;
  seekable: SeekableRecordings;
  publicUrl: () => string;
  /** How long a track's link works (the review login's lifetime). */
  linkTtlMs: number;
}

export class ReviewMedia {
  readonly #options: ReviewMediaOptions;

  constructor(options: ReviewMediaOptions) {
    this.#options = options;
  }

  /** The candidate's tracks, oldest first; empty when nothing was recorded. */
  async tracks(actor: OrgActor, interviewId: string, candidateId: string): Promise<RecordingTrack[]> {
    const candidate = await this.#candidate(actor, interviewId, candidateId);
    const files = await this.#options.recordings.ofCandidate(candidate.interview.id, candidate.id);
    const clockStart = candidate.interview.startedAt ?? files[0]?.startedAt;
    const expires = Math.floor((Date.now() + this.#options.linkTtlMs) / 1000);
    return files.map((file, index) => {
      const data = `${candidate.interview.id}.${candidate.id}.${index}.${expires}`;
      const signature = this.#options.signer.mac(PLAYBACK_PURPOSE, data);
      return {
        // Every file recorded today is the candidate's camera; a host track will come with its role from the store.
        role: 'CANDIDATE',
        url: `${this.#options.publicUrl()}/api/recordings/${candidate.interview.id}/${candidate.id}/${index}.webm?expires=${expires}&signature=${signature}`,
        urlExpiresAt: new Date(expires * 1000),
        startedAt: file.startedAt,
        offsetMs: Math.max(0, file.startedAt.getTime() - (clockStart?.getTime() ?? file.startedAt.getTime())),
      };
    });
  }

  /** The file a signed playback link names (its seekable copy once there is one). */
  async file(access: PlaybackAccess): Promise<string> {
    const { interviewId, candidateId, index } = access;
    const expires = Number(access.expires);
    const data = `${interviewId}.${candidateId}.${index}.${expires}`;
    if (!Number.isInteger(expires) || !access.signature || !this.#options.signer.verifyMac(PLAYBACK_PURPOSE, data, access.signature)) {
      throw new UnauthenticatedError('This recording link is not valid');
    }
    if (expires * 1000 < Date.now()) throw new UnauthenticatedError('This recording link has expired: reload the review page');
    const file = (await this.#options.recordings.ofCandidate(interviewId, candidateId))[Number(index)];
    if (!file) throw new NotFoundError('Recording');
    return this.#options.seekable.of(file.path);
  }

  async #candidate(actor: OrgActor, interviewId: string, candidateId: string): Promise<Candidate> {
    const visible = validate.isUuid(interviewId) && validate.isUuid(candidateId) && reachesInterview(actor, interviewId);
    const candidate = visible
      ? await this.#options.orm.em.fork().findOne(Candidate, { id: candidateId, interview: { id: interviewId, org: actor.orgId } }, { populate: ['interview'] })
      : null;
    if (!candidate) throw new NotFoundError('Candidate', candidateId);
    return candidate;
  }
}
