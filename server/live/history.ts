// The persisted record of monitoring, for hosts who open an interview late or after the fact:
// a candidate's sessions and each session's violations, oldest first.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import type { Severity, ViolationType } from '../db/entities.ts';
import { parseTimestamp } from '../db/timestamps.ts';
import { decodeCursor, pageSize, toPage, type Page, type PageArgs } from '../pagination.ts';

export interface SessionRecord {
  id: string;
  startedAt: Date;
  endedAt: Date | null;
  lastHeartbeatAt: Date | null;
}

export interface ViolationRecord {
  id: string;
  sessionId: string;
  type: ViolationType;
  severity: Severity;
  occurredAt: Date;
  lastOccurredAt: Date | null;
  count: number;
  durationMs: number;
  snapshotUrl: string | null;
}

interface RawSession {
  id: string;
  start_time: string;
  end_time: string | null;
  last_heartbeat_at: string | null;
}

interface RawViolation {
  id: string;
  session_id: string;
  type: ViolationType;
  severity: Severity;
  timestamp: string;
  last_occurred_at: string | null;
  count: number;
  duration_ms: number;
  snapshot_url: string | null;
}

export class HistoryService {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  /** The candidate's sessions (one per join, resumed ones included once), oldest first. */
  async sessionsOf(actor: OrgActor, candidateId: string): Promise<SessionRecord[]> {
    const rows = await this.#orm.em.getConnection().execute<RawSession[]>(
      `select s.id, s.start_time, s.end_time, s.last_heartbeat_at
         from sessions s join candidates c on c.id = s.candidate_id join interviews i on i.id = c.interview_id
        where s.candidate_id = ? and i.org_id = ? order by s.start_time, s.id`,
      [candidateId, actor.orgId],
    );
    return rows.map((row) => ({
      id: row.id,
      startedAt: parseTimestamp(row.start_time),
      endedAt: parseTimestamp(row.end_time),
      lastHeartbeatAt: parseTimestamp(row.last_heartbeat_at),
    }));
  }

  async violationsOf(actor: OrgActor, sessionId: string, args: PageArgs): Promise<Page<ViolationRecord>> {
    const first = pageSize(args);
    const cursor = decodeCursor(args.after);
    const params: unknown[] = [sessionId, actor.orgId];
    let sql = `select v.id, v.session_id, v.type, v.severity, v.timestamp, v.last_occurred_at, v.count, v.duration_ms, v.snapshot_url
                 from violations v join interviews i on i.id = v.interview_id
                where v.session_id = ? and i.org_id = ?`;
    if (cursor) {
      sql += ' and (v.timestamp, v.id) > (?, ?)';
      params.push(cursor.createdAt, cursor.id);
    }
    sql += ' order by v.timestamp, v.id limit ?';
    params.push(first + 1);
    const rows = await this.#orm.em.getConnection().execute<RawViolation[]>(sql, params);
    const records = rows.map((row) => ({
      id: row.id,
      sessionId: row.session_id,
      type: row.type,
      severity: row.severity,
      occurredAt: parseTimestamp(row.timestamp),
      lastOccurredAt: parseTimestamp(row.last_occurred_at),
      count: row.count,
      durationMs: row.duration_ms,
      snapshotUrl: row.snapshot_url,
    }));
    return toPage(records, first, (v) => ({ createdAt: v.occurredAt, id: v.id }));
  }
}
