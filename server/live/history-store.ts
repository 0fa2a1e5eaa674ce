// The monitoring history as hosts read it: a candidate's sessions and a session's violations,
// limited to the host's org. Rows go in and come out typed; timestamps as Dates.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ReviewVerdict, Severity, ViolationType } from '../db/entities.ts';
import { parseTimestamp } from '../db/timestamps.ts';
import type { Keyed } from '../pagination.ts';
import { VIOLATION_CONFIDENCE, confidenceOf, reviewOf, type RawViolationRow, type Review } from '../reviews/review-store.ts';

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
  /** Covered by the candidate's accommodations: no alert was raised, and it does not count. */
  accommodated: boolean;
  /** The highest confidence (0–1) among its events; null when none carried one. */
  confidence: number | null;
  review: Review<ReviewVerdict, 'verdict'> | null;
}

interface SessionRow {
  id: string;
  start_time: string;
  end_time: string | null;
  last_heartbeat_at: string | null;
}

export class HistoryStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  /** The candidate's sessions in the org, ordered by start time then id. */
  async sessionsOf(orgId: string, candidateId: string): Promise<SessionRecord[]> {
    const rows = await this.#orm.em.getConnection().execute<SessionRow[]>(
      `select s.id, s.start_time, s.end_time, s.last_heartbeat_at
         from sessions s join candidates c on c.id = s.candidate_id join interviews i on i.id = c.interview_id
        where s.candidate_id = ? and i.org_id = ? order by s.start_time, s.id`,
      [candidateId, orgId],
    );
    return rows.map((row) => ({
      id: row.id,
      startedAt: parseTimestamp(row.start_time),
      endedAt: parseTimestamp(row.end_time),
      lastHeartbeatAt: parseTimestamp(row.last_heartbeat_at),
    }));
  }

  /** Up to `limit` of the session's violations in the org after the cursor, ordered by time then id. */
  async violationsOf(orgId: string, sessionId: string, after: Keyed | undefined, limit: number): Promise<ViolationRecord[]> {
    const params: unknown[] = [sessionId, orgId];
    let sql = `select v.id, v.session_id, v.type, v.severity, v.timestamp, v.last_occurred_at, v.count, v.duration_ms, v.snapshot_url, v.accommodated, ${VIOLATION_CONFIDENCE},
                      v.review_verdict, v.review_note, v.reviewed_by_kind, v.reviewed_by_id, v.reviewed_by, v.reviewed_at
                 from violations v join interviews i on i.id = v.interview_id
                where v.session_id = ? and i.org_id = ?`;
    if (after) {
      sql += ' and (v.timestamp, v.id) > (?, ?)';
      params.push(after.createdAt, after.id);
    }
    sql += ' order by v.timestamp, v.id limit ?';
    params.push(limit);
    const rows = await this.#orm.em.getConnection().execute<RawViolationRow[]>(sql, params);
    return rows.map((row) => ({
      id: row.id,
      sessionId: row.session_id,
      type: row.type,
      severity: row.severity,
      occurredAt: parseTimestamp(row.timestamp),
      lastOccurredAt: parseTimestamp(row.last_occurred_at),
      count: row.count,
      durationMs: row.duration_ms,
      snapshotUrl: row.snapshot_url,
      accommodated: row.accommodated,
      confidence: confidenceOf(row),
      review: reviewOf('verdict', row.review_verdict, row),
    }));
  }
}
