// Reading recordings: a candidate's one timeline (their tracks and the hosts'), for hosts, review
// logins and API tokens of the interview's org, each track with a signed link a player can open.
// Works in any process that serves the API (it reads the database only).
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import { NotFoundError } from '../errors.ts';
import type { InterviewService } from '../services/interviews.ts';
import * as validate from '../validate.ts';
import { RecordingStore, type CandidateRecording, type RecordedTrack } from './recording-store.ts';
import type { TrackLink, TrackLinks } from './track-links.ts';

export type PlayableTrack = RecordedTrack & TrackLink;
export type PlayableRecording = Omit<CandidateRecording, 'tracks'> & { tracks: PlayableTrack[] };

export class RecordingService {
  readonly #interviews: InterviewService;
  readonly #store: RecordingStore;
  readonly #links: TrackLinks;

  constructor(orm: MikroORM, interviews: InterviewService, links: TrackLinks) {
    this.#interviews = interviews;
    this.#store = new RecordingStore(orm);
    this.#links = links;
  }

  /** NOT_FOUND for another org's interview, a candidate not of it, or one with nothing recorded. */
  async ofCandidate(actor: OrgActor, interviewId: string, candidateId: string): Promise<PlayableRecording> {
    const interview = await this.#interviews.get(actor, interviewId);
    const recording = validate.isUuid(candidateId) ? await this.#store.ofCandidateTimeline(interview.id, candidateId) : undefined;
    if (!recording) throw new NotFoundError('Recording of candidate', candidateId);
    return { ...recording, tracks: recording.tracks.map((track) => ({ ...track, ...this.#links.link(interview.id, candidateId, track.id) })) };
  }
}
