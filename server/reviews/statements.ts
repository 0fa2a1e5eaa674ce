// Candidate statements: once a candidate's review is completed, a host may send the candidate a
// signed, expiring link (an org turns this on; it is off by default). The link shows what was
// flagged, the reviewer's verdicts and the decision, and takes one written statement, which is
// kept verbatim with the review, audited, sent as the review.statement webhook, and printed in a
// new version of the report.
// A link names its org, interview and candidate; nothing else is reachable with it.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type CandidateActor, type OrgActor } from '../auth/actor.ts';
import type { TokenSigner } from '../auth/jwt.ts';
import { Org, ReviewStatus, WebhookEvent, type ReviewDecision } from '../db/entities.ts';
import type { Logger } from '../log.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { CandidateStatement } from '../reports/report-input.ts';
import type { ReportService } from '../reports/reports.ts';
import { audit } from '../services/audit.ts';
import * as validate from '../validate.ts';
import type { WebhookService } from '../webhooks/webhooks.ts';
import { CANDIDATE_STATEMENT_MAX_LENGTH, STATEMENT_LINK_HOURS } from '../../contract/review.ts';
import { StatementStore, type StatementFlag, type StatementSubject } from './statement-store.ts';

const HOUR_MS = 3_600_000;

export interface StatementLink {
  url: string;
  expiresAt: Date;
}

/** What a statement link shows the candidate. */
export interface StatementPage {
  interviewTitle: string;
  candidateName: string;
  decision: ReviewDecision;
  decidedAt: Date;
  flags: StatementFlag[];
  /** Null until the candidate has written it. */
  statement: CandidateStatement | null;
  /** When the link stops working. */
  expiresAt: Date;
}

export class CandidateStatementService {
  readonly #orm: MikroORM;
  readonly #store = new StatementStore();
  readonly #signer: TokenSigner;
  readonly #reports: ReportService;
  readonly #publicUrl: () => string;
  readonly #webhooks: WebhookService;
  readonly #logger: Logger;

  constructor(orm: MikroORM, signer: TokenSigner, reports: ReportService, webhooks: WebhookService, publicUrl: () => string, logger: Logger) {
    this.#orm = orm;
    this.#signer = signer;
    this.#reports = reports;
    this.#publicUrl = publicUrl;
    this.#webhooks = webhooks;
    this.#logger = logger;
  }

  /** Turns candidate statement links on or off for the actor's org (audited). */
  async setEnabled(actor: OrgActor, enabled: boolean): Promise<Org> {
    const em = this.#orm.em.fork();
    const org = await em.findOneOrFail(Org, { id: actor.orgId });
    const previous = org.candidateStatements;
    org.candidateStatements = enabled;
    audit(em, actor, 'org.candidateStatements', { type: 'Org', id: org.id }, { from: previous, to: enabled });
    await em.flush();
    return org;
  }

  /** A link for the candidate of a completed review, valid `expiresInHours` (audited). */
  async createLink(actor: OrgActor, interviewId: string, candidateId: string, expiresInHours?: number | null): Promise<StatementLink> {
    if (!validate.isUuid(interviewId) || !reachesInterview(actor, interviewId)) throw new NotFoundError('Interview', interviewId);
    if (!validate.isUuid(candidateId)) throw new NotFoundError('Candidate', candidateId);
    const hours = validate.integerInRange('expiresInHours', expiresInHours ?? STATEMENT_LINK_HOURS.default, STATEMENT_LINK_HOURS.min, STATEMENT_LINK_HOURS.max);
    const em = this.#orm.em.fork();
    const subject = await this.#store.subject(em, actor.orgId, interviewId, candidateId);
    if (!subject) throw new NotFoundError('Candidate', candidateId);
    requireOpen(subject);
    // Whole seconds, as the token carries it: the page shows the same time the host was given.
    const expiresAt = new Date(Math.floor((Date.now() + hours * HOUR_MS) / 1000) * 1000);
    const token = await this.#signer.signStatement({ candidateId, interviewId, orgId: actor.orgId }, expiresAt);
    audit(em, actor, 'candidate.statement.link', { type: 'Candidate', id: candidateId }, { interviewId, expiresAt: expiresAt.toISOString() });
    await em.flush();
    return { url: `${this.#publicUrl()}/s/${token}`, expiresAt };
  }

  /** What the link shows: the flags, the verdicts, the decision, and the statement once written. */
  async page(token: string): Promise<StatementPage> {
    const claims = await this.#signer.verifyStatement(token);
    const em = this.#orm.em.fork();
    const subject = await this.#store.subject(em, claims.orgId, claims.interviewId, claims.candidateId);
    if (!subject) throw new NotFoundError('Candidate', claims.candidateId);
    requireOpen(subject);
    return this.#pageOf(em, subject, claims.expiresAt);
  }

  /**
   * The candidate's one statement: stored verbatim (trimmed) with the review, audited as the
   * candidate's act, and the report is sent back to the job runner for a new version with it.
   */
  async submit(token: string, textInput: string): Promise<StatementPage> {
    const claims = await this.#signer.verifyStatement(token);
    const text = validate.text('text', textInput, { max: CANDIDATE_STATEMENT_MAX_LENGTH });
    const at = new Date();
    const { page, deliveries, afterCommit } = await this.#orm.em.fork().transactional(async (tx) => {
      const subject = await this.#store.subject(tx, claims.orgId, claims.interviewId, claims.candidateId, { lock: true });
      if (!subject) throw new NotFoundError('Candidate', claims.candidateId);
      requireOpen(subject);
      if (subject.statement || !(await this.#store.saveStatement(tx, subject.candidateId, text, at))) {
        throw new ConflictError('A statement has already been submitted for this review: only one is accepted', { reason: 'STATEMENT_SUBMITTED' });
      }
      const actor: CandidateActor = { kind: 'candidate', candidateId: subject.candidateId, interviewId: subject.interviewId, orgId: claims.orgId };
      audit(tx, actor, 'candidate.statement.submit', { type: 'Candidate', id: subject.candidateId }, { interviewId: subject.interviewId, characters: text.length });
      return {
        page: await this.#pageOf(tx, { ...subject, statement: { text, submittedAt: at } }, claims.expiresAt),
        deliveries: await this.#webhooks.record(tx, claims.orgId, WebhookEvent.REVIEW_STATEMENT, {
          interviewId: subject.interviewId,
          candidateId: subject.candidateId,
          decision: subject.decision,
          text,
          submittedAt: at.toISOString(),
        }),
        afterCommit: await this.#reports.recordNewVersion(tx, subject.interviewId, subject.candidateId),
      };
    });
    await afterCommit();
    // Recorded with the statement: a delivery whose enqueue fails is left to the pending-work sweep.
    await this.#webhooks
      .enqueue(deliveries)
      .catch((error: unknown) => this.#logger.warn({ err: error, candidateId: claims.candidateId }, 'could not enqueue jobs; the pending-work sweep will'));
    return page;
  }

  async #pageOf(em: EntityManager, subject: StatementSubject, expiresAtMs: number): Promise<StatementPage> {
    return {
      interviewTitle: subject.interviewTitle,
      candidateName: subject.candidateName,
      decision: subject.decision!,
      decidedAt: subject.decidedAt!,
      flags: await this.#store.flags(em, subject.candidateId),
      statement: subject.statement,
      expiresAt: new Date(expiresAtMs),
    };
  }
}

/** Statements exist only for a completed review, and only while the org allows them. */
function requireOpen(subject: StatementSubject): void {
  if (!subject.statementsEnabled) {
    throw new ForbiddenError('Candidate statements are turned off for this organisation (an admin turns them on with setOrgCandidateStatements)', {
      reason: 'CANDIDATE_STATEMENTS_OFF',
    });
  }
  if (subject.reviewStatus !== ReviewStatus.DONE || !subject.decision || !subject.decidedAt) {
    throw new ConflictError(`The review of candidate ${subject.candidateId} is not complete: a statement link comes after completeReview`, {
      reason: 'REVIEW_NOT_COMPLETE',
      reviewStatus: subject.reviewStatus,
    });
  }
}
