// Signed links to recorded tracks, for players: a <video> cannot send a bearer token. A link names
// the interview, the candidate whose recording it belongs to and the track (never a path), expires
// with the review login's lifetime, and serves the track's seekable copy (seekable-recordings.ts).
import type { TokenSigner } from '../auth/jwt.ts';
import { SignedLinks } from '../auth/signed-links.ts';
import { NotFoundError } from '../errors.ts';
import * as validate from '../validate.ts';
import type { RecordingStore } from './recording-store.ts';
import type { SeekableRecordings } from './seekable-recordings.ts';

export interface TrackLink {
  /** The track's file (HTTP Range supported), valid until urlExpiresAt. */
  url: string;
  urlExpiresAt: Date;
}

export interface TrackAccess {
  interviewId: string;
  candidateId: string;
  trackId: string;
  expires: string | undefined;
  signature: string | undefined;
}

export interface TrackLinksOptions {
  signer: TokenSigner;
  recordings: RecordingStore;
  seekable: SeekableRecordings;
  publicUrl: () => string;
  ttlMs: number;
}

export class TrackLinks {
  readonly #options: TrackLinksOptions;
  readonly #links: SignedLinks;

  constructor(options: TrackLinksOptions) {
    this.#options = options;
    this.#links = new SignedLinks(options.signer, 'recording-playback', options.ttlMs);
  }

  link(interviewId: string, candidateId: string, trackId: string): TrackLink {
    const { query, expiresAt } = this.#links.sign(`${interviewId}.${candidateId}.${trackId}`);
    return { url: `${this.#options.publicUrl()}/api/recordings/${interviewId}/${candidateId}/${trackId}?${query}`, urlExpiresAt: expiresAt };
  }

  /** The file a signed link names: its seekable copy once there is one. */
  async file({ interviewId, candidateId, trackId, expires, signature }: TrackAccess): Promise<string> {
    this.#links.verify(`${interviewId}.${candidateId}.${trackId}`, expires, signature);
    if (!validate.isUuid(interviewId) || !validate.isUuid(candidateId)) throw new NotFoundError('Recording');
    const recording = await this.#options.recordings.ofCandidateTimeline(interviewId, candidateId);
    const track = recording?.tracks.find((t) => t.id === trackId);
    if (!track) throw new NotFoundError('Recording');
    return this.#options.seekable.of(track.path);
  }
}
