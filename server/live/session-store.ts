// Candidates' monitoring sessions, as the monitoring service reads and writes them: it reaches the
// database through here only. Rows go in and come out typed; timestamps as Dates.
import type { MikroORM } from '@mikro-orm/postgresql';
import { Candidate, ENDED_INTERVIEW_STATUSES, Session, type InterviewConfig, type InterviewStatus } from '../db/entities.ts';
import { parseTimestamp } from '../db/timestamps.ts';
import { NO_ACCOMMODATIONS, type Accommodations } from '../../contract/accommodations.ts';

/** A session with what monitoring needs of its interview, and the client seqs it has stored. */
export interface SessionRecord {
  candidateId: string;
  interviewId: string;
  startedAt: Date;
  config: InterviewConfig;
  accommodations: Accommodations;
  status: InterviewStatus;
  storedSeqs: number[];
}

export interface JoinedSession {
  session: Session;
  candidate: Candidate;
  /** The candidate's open session was taken up again (a reconnect) rather than a new one started. */
  resumed: boolean;
}

const NOT_ENDED = `status not in (${ENDED_INTERVIEW_STATUSES.map((status) => `'${status}'`).join(', ')})`;

export class SessionStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  /**
   * Starts the candidate's session with the device it reports, or resumes its open one (taking
   * the device it reports now). Undefined, and nothing written, when its interview has ended.
   */
  async openOrResume(candidateId: string, interviewId: string, deviceInfo: Record<string, unknown>): Promise<JoinedSession | undefined> {
    const em = this.#orm.em.fork();
    const candidate = await em.findOneOrFail(Candidate, candidateId, { populate: ['interview'] });
    if (ENDED_INTERVIEW_STATUSES.includes(candidate.interview.status)) return undefined;
    let session = await em.findOne(Session, { candidate: candidateId, endTime: null }, { orderBy: { startTime: 'desc' } });
    const resumed = Boolean(session);
    if (session) session.deviceInfo = deviceInfo;
    else session = em.create(Session, { candidate: candidateId, interview: interviewId, deviceInfo });
    await em.flush();
    return { session, candidate, resumed };
  }

  async load(sessionId: string): Promise<SessionRecord | undefined> {
    const connection = this.#orm.em.getConnection();
    const [session] = await connection.execute<
      { candidate_id: string; interview_id: string; start_time: string; config: InterviewConfig; accommodations: Accommodations | null; status: InterviewStatus }[]
    >(
      `select s.candidate_id, s.interview_id, s.start_time, i.config, c.accommodations, i.status
         from sessions s join interviews i on i.id = s.interview_id join candidates c on c.id = s.candidate_id where s.id = ?`,
      [sessionId],
    );
    if (!session) return undefined;
    const seqs = await connection.execute<{ seq: number }[]>('select seq from events where session_id = ? and seq is not null', [sessionId]);
    return {
      candidateId: session.candidate_id,
      interviewId: session.interview_id,
      startedAt: parseTimestamp(session.start_time),
      config: session.config,
      accommodations: session.accommodations ?? NO_ACCOMMODATIONS,
      status: session.status,
      storedSeqs: seqs.map((row) => row.seq),
    };
  }

  /** The id of the candidate's most recently started session. */
  async latestOf(candidateId: string): Promise<string | undefined> {
    const [session] = await this.#orm.em
      .getConnection()
      .execute<{ id: string }[]>('select id from sessions where candidate_id = ? order by start_time desc limit 1', [candidateId]);
    return session?.id;
  }

  async interviewStatus(interviewId: string): Promise<InterviewStatus | undefined> {
    const [interview] = await this.#orm.em.getConnection().execute<{ status: InterviewStatus }[]>('select status from interviews where id = ?', [interviewId]);
    return interview?.status;
  }

  /** Keeps the session's last sign of life and telemetry; false (nothing written) when its interview has ended. */
  async recordHeartbeat(sessionId: string, interviewId: string, at: Date, telemetry: Record<string, unknown>): Promise<boolean> {
    const updated = await this.#orm.em.getConnection().execute<{ id: string }[]>(
      `update sessions set last_heartbeat_at = ?, telemetry = ? where id = ?
         and exists (select 1 from interviews where id = ? and ${NOT_ENDED})
       returning id`,
      [at, JSON.stringify(telemetry), sessionId, interviewId],
    );
    return updated.length > 0;
  }
}
