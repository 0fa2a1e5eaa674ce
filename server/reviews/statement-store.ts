// The candidate statement's SQL: the completed review a statement link shows (with the org's
// switch), its flags as the candidate sees them, and the one statement, written only while none is.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReviewDecision, ReviewStatus, ReviewVerdict, Severity, ViolationType } from '../db/entities.ts';
import { parseTimestamp } from '../db/timestamps.ts';
import { statementOf } from '../reports/report-store.ts';
import type { CandidateStatement } from '../reports/report-input.ts';

/** A candidate's review as a statement link reaches it. */
export interface StatementSubject {
  candidateId: string;
  candidateName: string;
  interviewId: string;
  interviewTitle: string;
  /** The org's switch now: a link made while it was on stops working once it is off. */
  statementsEnabled: boolean;
  reviewStatus: ReviewStatus;
  decision: ReviewDecision | null;
  decidedAt: Date | null;
  statement: CandidateStatement | null;
}

/** One flag as the candidate is shown it: what, when, how bad, and the reviewer's verdict (no reviewer notes). */
export interface StatementFlag {
  type: ViolationType;
  severity: Severity;
  occurredAt: Date;
  durationMs: number;
  count: number;
  verdict: ReviewVerdict | null;
}

interface RawSubject {
  id: string;
  name: string;
  interview_id: string;
  title: string;
  candidate_statements: boolean;
  review_status: ReviewStatus;
  review_decision: ReviewDecision | null;
  reviewed_at: string | null;
  statement_text: string | null;
  statement_submitted_at: string | null;
}

export class StatementStore {
  /** The candidate of that interview in that org (locked for the transaction when `lock`), or undefined. */
  async subject(em: EntityManager, orgId: string, interviewId: string, candidateId: string, { lock = false } = {}): Promise<StatementSubject | undefined> {
    const [row] = await em.execute<RawSubject[]>(
      `select c.id, c.name, c.interview_id, i.title, o.candidate_statements, c.review_status, c.review_decision, c.reviewed_at, c.statement_text, c.statement_submitted_at
         from candidates c join interviews i on i.id = c.interview_id join orgs o on o.id = i.org_id
        where c.id = ? and i.id = ? and i.org_id = ?${lock ? ' for update of c' : ''}`,
      [candidateId, interviewId, orgId],
    );
    return (
      row && {
        candidateId: row.id,
        candidateName: row.name,
        interviewId: row.interview_id,
        interviewTitle: row.title,
        statementsEnabled: row.candidate_statements,
        reviewStatus: row.review_status,
        decision: row.review_decision,
        decidedAt: parseTimestamp(row.reviewed_at),
        statement: statementOf(row.statement_text, row.statement_submitted_at),
      }
    );
  }

  /** The candidate's flags, by time then id. */
  async flags(em: EntityManager, candidateId: string): Promise<StatementFlag[]> {
    const rows = await em.execute<{ type: ViolationType; severity: Severity; timestamp: string; duration_ms: number; count: number; review_verdict: ReviewVerdict | null }[]>(
      `select v.type, v.severity, v.timestamp, v.duration_ms, v.count, v.review_verdict
         from violations v join sessions s on s.id = v.session_id where s.candidate_id = ? order by v.timestamp, v.id`,
      [candidateId],
    );
    return rows.map((row) => ({
      type: row.type,
      severity: row.severity,
      occurredAt: parseTimestamp(row.timestamp),
      durationMs: row.duration_ms,
      count: row.count,
      verdict: row.review_verdict,
    }));
  }

  /** Stores the statement unless the candidate has one already; whether it did. */
  async saveStatement(tx: EntityManager, candidateId: string, text: string, at: Date): Promise<boolean> {
    const saved = await tx.execute<{ id: string }[]>(
      'update candidates set statement_text = ?, statement_submitted_at = ? where id = ? and statement_text is null returning id',
      [text, at, candidateId],
    );
    return saved.length === 1;
  }
}
