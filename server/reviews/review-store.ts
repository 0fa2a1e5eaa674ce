// The review's SQL: the reviewer's verdicts on violations, the candidate's decision and the
// review statuses of candidate and interview. Every read that starts a review locks the
// candidate's row, so verdicts and the completion of one candidate's review never interleave.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import { actorId } from '../auth/actor.ts';
import type { InterviewStatus, ReviewDecision, ReviewStatus, ReviewVerdict, Severity, ViolationType } from '../db/entities.ts';
import { parseTimestamp } from '../db/timestamps.ts';
import type { ViolationRecord } from '../live/history-store.ts';

/** Who reviewed: the actor's kind and id, and a label as it was then. */
export interface Reviewer {
  kind: string;
  id: string;
  name: string;
}

/** The candidate under review, locked for the rest of the transaction. */
export interface ReviewSubject {
  candidateId: string;
  interviewId: string;
  interviewStatus: InterviewStatus;
  reviewStatus: ReviewStatus;
  decision: ReviewDecision | null;
  note: string | null;
}

/** A violation with its verdict, and whose it is. */
export interface ReviewedViolation extends ViolationRecord {
  candidateId: string;
  interviewId: string;
}

export type Review<T extends string, K extends string> = { [key in K]: T } & { note: string | null; reviewer: Reviewer; at: Date };

/** The review columns a table shares (candidates, violations). */
export interface RawReviewColumns {
  review_note: string | null;
  reviewed_by_kind: string | null;
  reviewed_by_id: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
}

/** A violation row as the monitoring history and the review store both read it. */
export interface RawViolationRow extends RawReviewColumns {
  id: string;
  session_id: string;
  type: ViolationType;
  severity: Severity;
  timestamp: string;
  last_occurred_at: string | null;
  count: number;
  duration_ms: number;
  snapshot_url: string | null;
  accommodated: boolean;
  confidence: number | null;
  review_verdict: ReviewVerdict | null;
}

/**
 * A violation's confidence as a select column: the highest of its events' (null when none carried
 * one). A correlated aggregate over the events' violation_id index, within the one statement.
 */
export const VIOLATION_CONFIDENCE = '(select max(e.confidence) from events e where e.violation_id = v.id) as confidence';

/** The confidence column as read: float8 comes back as a number, or null. */
export function confidenceOf(row: RawViolationRow): number | null {
  return row.confidence === null ? null : Number(row.confidence);
}

interface RawViolation extends RawViolationRow {
  candidate_id: string;
  interview_id: string;
}

// A violation's candidate and interview are its session's: the violation's own columns may be null.
const VIOLATION_COLUMNS = `v.id, v.session_id, s.candidate_id, c.interview_id, v.type, v.severity, v.timestamp, v.last_occurred_at, v.count, v.duration_ms,
  v.snapshot_url, v.accommodated, ${VIOLATION_CONFIDENCE}, v.review_verdict, v.review_note, v.reviewed_by_kind, v.reviewed_by_id, v.reviewed_by, v.reviewed_at`;
const VIOLATION_FROM = 'violations v join sessions s on s.id = v.session_id join candidates c on c.id = s.candidate_id join interviews i on i.id = c.interview_id';

export class ReviewStore {
  /** The candidate's review, locked; undefined unless the org has it (in that interview, when named). */
  async lockSubject(tx: EntityManager, orgId: string, candidateId: string, interviewId?: string): Promise<ReviewSubject | undefined> {
    const [row] = await tx.execute<
      { id: string; interview_id: string; status: InterviewStatus; review_status: ReviewStatus; review_decision: ReviewDecision | null; review_note: string | null }[]
    >(
      `select c.id, c.interview_id, i.status, c.review_status, c.review_decision, c.review_note
         from candidates c join interviews i on i.id = c.interview_id
        where c.id = ? and i.org_id = ?${interviewId === undefined ? '' : ' and i.id = ?'} for update of c`,
      interviewId === undefined ? [candidateId, orgId] : [candidateId, orgId, interviewId],
    );
    return (
      row && {
        candidateId: row.id,
        interviewId: row.interview_id,
        interviewStatus: row.status,
        reviewStatus: row.review_status,
        decision: row.review_decision,
        note: row.review_note,
      }
    );
  }

  /** The violation, when the org has it. */
  async violation(tx: EntityManager, orgId: string, violationId: string): Promise<ReviewedViolation | undefined> {
    const [row] = await tx.execute<RawViolation[]>(`select ${VIOLATION_COLUMNS} from ${VIOLATION_FROM} where v.id = ? and i.org_id = ?`, [violationId, orgId]);
    return row && toReviewedViolation(row);
  }

  async setVerdict(tx: EntityManager, violationId: string, verdict: ReviewVerdict, note: string | null, reviewer: Reviewer, at: Date): Promise<void> {
    await tx.execute('update violations set review_verdict = ?, review_note = ?, reviewed_by_kind = ?, reviewed_by_id = ?, reviewed_by = ?, reviewed_at = ? where id = ?', [
      verdict,
      note,
      reviewer.kind,
      reviewer.id,
      reviewer.name,
      at,
      violationId,
    ]);
  }

  /** PENDING → IN_REVIEW (a first verdict); a review already under way stays as it is. */
  async startReview(tx: EntityManager, candidateId: string): Promise<void> {
    await tx.execute(`update candidates set review_status = 'IN_REVIEW' where id = ? and review_status = 'PENDING'`, [candidateId]);
  }

  async complete(tx: EntityManager, candidateId: string, decision: ReviewDecision, note: string | null, reviewer: Reviewer, at: Date): Promise<void> {
    await tx.execute(
      `update candidates set review_status = 'DONE', review_decision = ?, review_note = ?, reviewed_by_kind = ?, reviewed_by_id = ?, reviewed_by = ?, reviewed_at = ? where id = ?`,
      [decision, note, reviewer.kind, reviewer.id, reviewer.name, at, candidateId],
    );
  }

  /** The interview's status follows its candidates': DONE once all are, IN_REVIEW once any has started, else PENDING. */
  async refreshInterview(tx: EntityManager, interviewId: string): Promise<void> {
    await tx.execute(
      `update interviews set review_status = case
         when not exists (select 1 from candidates where interview_id = ? and review_status <> 'DONE') then 'DONE'
         when exists (select 1 from candidates where interview_id = ? and review_status <> 'PENDING') then 'IN_REVIEW'
         else 'PENDING' end
       where id = ?`,
      [interviewId, interviewId, interviewId],
    );
  }

  /** How many of the candidate's violations were confirmed and dismissed. */
  async verdictCounts(tx: EntityManager, candidateId: string): Promise<{ confirmed: number; dismissed: number; unreviewed: number }> {
    const rows = await tx.execute<{ verdict: ReviewVerdict | null; n: string | number }[]>(
      'select v.review_verdict as verdict, count(*) as n from violations v join sessions s on s.id = v.session_id where s.candidate_id = ? group by v.review_verdict',
      [candidateId],
    );
    const count = (verdict: ReviewVerdict | null) => Number(rows.find((row) => row.verdict === verdict)?.n ?? 0);
    return { confirmed: count('CONFIRMED'), dismissed: count('DISMISSED'), unreviewed: count(null) };
  }

  /** The reviewer as the record keeps them: a host by email, an API token by name. */
  async reviewer(tx: EntityManager, actor: OrgActor): Promise<Reviewer> {
    const id = actorId(actor);
    if (actor.kind === 'apiToken') {
      const [token] = await tx.execute<{ name: string }[]>('select name from api_tokens where id = ?', [id]);
      return { kind: actor.kind, id, name: `API token ${token?.name ?? id}` };
    }
    // A host's room or review login reviews as the host.
    const [host] = await tx.execute<{ email: string }[]>('select email from hosts where id = ?', [id]);
    return { kind: 'host', id, name: host?.email ?? id };
  }
}

/** The review held in a row's review columns, or null when there is none. */
export function reviewOf<T extends string, K extends string>(key: K, value: T | null, row: RawReviewColumns): Review<T, K> | null {
  if (value === null || row.reviewed_at === null) return null;
  return {
    [key]: value,
    note: row.review_note,
    reviewer: { kind: row.reviewed_by_kind ?? '', id: row.reviewed_by_id ?? '', name: row.reviewed_by ?? '' },
    at: parseTimestamp(row.reviewed_at),
  } as Review<T, K>;
}

function toReviewedViolation(row: RawViolation): ReviewedViolation {
  return {
    id: row.id,
    sessionId: row.session_id,
    candidateId: row.candidate_id,
    interviewId: row.interview_id,
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
  };
}
