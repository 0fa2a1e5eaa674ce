// Human review of an ended interview: a reviewer confirms or dismisses each flag, then completes
// the candidate's review with a decision. Both are audited (before → after) with the review in
// one transaction; completing also records the review.completed deliveries and sends the report
// back to the job runner for a new version (reviewed scores leave the dismissed flags out).
// Everything is scoped to the actor's org: another org's violation or candidate is "not found".
import type { MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type OrgActor } from '../auth/actor.ts';
import { Candidate, ENDED_INTERVIEW_STATUSES, REVIEW_DECISIONS, REVIEW_VERDICTS, ReviewStatus, WebhookEvent, type ReviewDecision, type ReviewVerdict } from '../db/entities.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ReportService } from '../reports/reports.ts';
import { audit } from '../services/audit.ts';
import * as validate from '../validate.ts';
import type { WebhookService } from '../webhooks/webhooks.ts';
import { REVIEW_NOTE_MAX_LENGTH } from '../../contract/review.ts';
import { ReviewStore, type ReviewedViolation, type ReviewSubject } from './review-store.ts';

export class ReviewService {
  readonly #orm: MikroORM;
  readonly #store = new ReviewStore();
  readonly #reports: ReportService;
  readonly #webhooks: WebhookService;
  readonly #logger: Logger;

  constructor(orm: MikroORM, reports: ReportService, webhooks: WebhookService, logger: Logger) {
    this.#orm = orm;
    this.#reports = reports;
    this.#webhooks = webhooks;
    this.#logger = logger;
  }

  /** Confirms or dismisses one flag (again, to change one's mind, until the review is completed). */
  async reviewViolation(actor: OrgActor, violationId: string, verdictInput: string, noteInput?: string | null): Promise<ReviewedViolation> {
    if (!validate.isUuid(violationId)) throw new NotFoundError('Violation', violationId);
    const verdict = validate.oneOf<ReviewVerdict>('verdict', verdictInput, REVIEW_VERDICTS);
    const note = validNote(noteInput);
    return this.#orm.em.fork().transactional(async (tx) => {
      const found = await this.#store.violation(tx, actor.orgId, violationId);
      if (!found || !reachesInterview(actor, found.interviewId)) throw new NotFoundError('Violation', violationId);
      const subject = (await this.#store.lockSubject(tx, actor.orgId, found.candidateId))!;
      reviewable(subject);
      // Read again under the candidate's lock: a verdict given meanwhile is the "before".
      const before = (await this.#store.violation(tx, actor.orgId, violationId))!;
      const reviewer = await this.#store.reviewer(tx, actor);
      await this.#store.setVerdict(tx, violationId, verdict, note, reviewer, new Date());
      await this.#store.startReview(tx, subject.candidateId);
      await this.#store.refreshInterview(tx, subject.interviewId);
      audit(
        tx,
        actor,
        'violation.review',
        { type: 'Violation', id: violationId },
        {
          interviewId: subject.interviewId,
          candidateId: subject.candidateId,
          before: { verdict: before.review?.verdict ?? null, note: before.review?.note ?? null },
          after: { verdict, note },
        },
      );
      return (await this.#store.violation(tx, actor.orgId, violationId))!;
    });
  }

  /**
   * Completes a candidate's review with a decision: once only (a completed review is the record
   * the new report version and the review.completed webhook are built from).
   */
  async completeReview(actor: OrgActor, interviewId: string, candidateId: string, decisionInput: string, noteInput?: string | null): Promise<Candidate> {
    if (!validate.isUuid(interviewId) || !reachesInterview(actor, interviewId)) throw new NotFoundError('Interview', interviewId);
    if (!validate.isUuid(candidateId)) throw new NotFoundError('Candidate', candidateId);
    const decision = validate.oneOf<ReviewDecision>('decision', decisionInput, REVIEW_DECISIONS);
    const note = validNote(noteInput);
    const at = new Date();
    const { deliveries, afterCommit } = await this.#orm.em.fork().transactional(async (tx) => {
      const subject = await this.#store.lockSubject(tx, actor.orgId, candidateId, interviewId);
      if (!subject) throw new NotFoundError('Candidate', candidateId);
      reviewable(subject);
      const reviewer = await this.#store.reviewer(tx, actor);
      await this.#store.complete(tx, candidateId, decision, note, reviewer, at);
      await this.#store.refreshInterview(tx, interviewId);
      const verdicts = await this.#store.verdictCounts(tx, candidateId);
      audit(
        tx,
        actor,
        'candidate.review.complete',
        { type: 'Candidate', id: candidateId },
        {
          interviewId,
          before: { reviewStatus: subject.reviewStatus, decision: subject.decision, note: subject.note },
          after: { reviewStatus: ReviewStatus.DONE, decision, note },
          verdicts,
        },
      );
      return {
        deliveries: await this.#webhooks.record(tx, actor.orgId, WebhookEvent.REVIEW_COMPLETED, {
          interviewId,
          candidateId,
          decision,
          note,
          reviewer: reviewer.name,
          completedAt: at.toISOString(),
          verdicts,
        }),
        afterCommit: await this.#reports.recordNewVersion(tx, interviewId, candidateId),
      };
    });
    await afterCommit();
    // Recorded with the review: a delivery whose enqueue fails is left to the pending-work sweep.
    await this.#webhooks.enqueue(deliveries).catch((error: unknown) => this.#logger.warn({ err: error, candidateId }, 'could not enqueue jobs; the pending-work sweep will'));
    return this.#orm.em.fork().findOneOrFail(Candidate, { id: candidateId });
  }
}

function validNote(note: string | null | undefined): string | null {
  if (note === null || note === undefined) return null;
  return validate.text('note', note, { min: 0, max: REVIEW_NOTE_MAX_LENGTH }) || null;
}

/** Only an ended interview's flags are final enough to review, and a completed review is closed. */
function reviewable(subject: ReviewSubject): void {
  if (!ENDED_INTERVIEW_STATUSES.includes(subject.interviewStatus)) {
    throw new ConflictError(`Interview ${subject.interviewId} is ${subject.interviewStatus}: only an ended interview (COMPLETED or ARCHIVED) can be reviewed`, {
      reason: 'INTERVIEW_NOT_ENDED',
      status: subject.interviewStatus,
    });
  }
  if (subject.reviewStatus === ReviewStatus.DONE) {
    throw new ConflictError(`The review of candidate ${subject.candidateId} is already complete (${subject.decision})`, {
      reason: 'REVIEW_COMPLETE',
      decision: subject.decision,
    });
  }
}
