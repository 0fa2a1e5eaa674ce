// Reading recordings: a candidate's one timeline (their tracks and the hosts'), for hosts and API
// tokens of the interview's org. Works in any process (it reads the database only).
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import { NotFoundError } from '../errors.ts';
import type { InterviewService } from '../services/interviews.ts';
import * as validate from '../validate.ts';
import { RecordingStore, type CandidateRecording } from './recording-store.ts';

export class RecordingService {
  readonly #interviews: InterviewService;
  readonly #store: RecordingStore;

  constructor(orm: MikroORM, interviews: InterviewService) {
    this.#interviews = interviews;
    this.#store = new RecordingStore(orm);
  }

  /** NOT_FOUND for another org's interview, a candidate not of it, or one with nothing recorded. */
  async ofCandidate(actor: OrgActor, interviewId: string, candidateId: string): Promise<CandidateRecording> {
    const interview = await this.#interviews.get(actor, interviewId);
    const recording = validate.isUuid(candidateId) ? await this.#store.ofCandidateTimeline(interview.id, candidateId) : undefined;
    if (!recording) throw new NotFoundError('Recording of candidate', candidateId);
    return recording;
  }
}
