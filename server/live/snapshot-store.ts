// Evidence snapshots as the snapshot service reads and writes them: the event a snapshot is for,
// the `snapshots` rows counted against the session's quota, and the violation's link.
import type { MikroORM } from '@mikro-orm/postgresql';
import { Snapshot, type InterviewStatus } from '../db/entities.ts';

/** The event a candidate's snapshot is for, with its session's interview. */
export interface SnapshotEvent {
  id: string;
  violationId: string | null;
  interviewId: string;
  type: string;
  status: InterviewStatus;
}

export interface NewSnapshot {
  id: string;
  violationId: string;
  interviewId: string;
  eventId: string;
  bytes: number;
}

/** What a session's snapshots already hold. */
export interface SnapshotUsage {
  count: number;
  bytes: number;
}

export class SnapshotStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  /** The event `seq` of the candidate's session. */
  async eventOf(candidateId: string, sessionId: string, seq: number): Promise<SnapshotEvent | undefined> {
    const [event] = await this.#orm.em.getConnection().execute<{ id: string; violation_id: string | null; interview_id: string; type: string; status: InterviewStatus }[]>(
      `select e.id, e.violation_id, s.interview_id, e.type, i.status from events e join sessions s on s.id = e.session_id
          join interviews i on i.id = s.interview_id where e.session_id = ? and e.seq = ? and s.candidate_id = ?`,
      [sessionId, seq, candidateId],
    );
    return event && { id: event.id, violationId: event.violation_id, interviewId: event.interview_id, type: event.type, status: event.status };
  }

  /**
   * Inserts the snapshot once `admit` accepts the session's usage (it throws to refuse). The
   * session row stays locked until the transaction ends, so concurrent uploads of one session are
   * counted one after another.
   */
  async addWithin(sessionId: string, snapshot: NewSnapshot, admit: (used: SnapshotUsage) => void): Promise<void> {
    await this.#orm.em.fork().transactional(async (em) => {
      await em.execute('select id from sessions where id = ? for update', [sessionId]);
      const [used] = await em.execute<{ count: string | number; bytes: string | number }[]>(
        'select count(*) as count, coalesce(sum(s.bytes), 0) as bytes from snapshots s join events e on e.id = s.event_id where e.session_id = ?',
        [sessionId],
      );
      admit({ count: Number(used?.count ?? 0), bytes: Number(used?.bytes ?? 0) });
      em.create(Snapshot, { id: snapshot.id, violation: snapshot.violationId, interview: snapshot.interviewId, event: snapshot.eventId, bytes: snapshot.bytes });
    });
  }

  /** Sets the violation's snapshot link unless it has one; true when this one was set. */
  async linkFirst(violationId: string, url: string): Promise<boolean> {
    const updated = await this.#orm.em
      .getConnection()
      .execute<{ id: string }[]>('update violations set snapshot_url = ? where id = ? and snapshot_url is null returning id', [url, violationId]);
    return updated.length > 0;
  }

  async interviewInOrg(interviewId: string, orgId: string): Promise<boolean> {
    const [owned] = await this.#orm.em.getConnection().execute<{ id: string }[]>('select id from interviews where id = ? and org_id = ?', [interviewId, orgId]);
    return Boolean(owned);
  }
}
