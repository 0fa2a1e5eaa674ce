// Candidates and their join links. A link is a short-lived signed JWT bound to candidate and
// interview; the database keeps only its SHA-256, which is what revocation and lookup use.
import type { MikroORM } from '@mikro-orm/postgresql';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { reachesInterview, type CandidateActor, type OrgActor } from '../auth/actor.ts';
import type { TokenSigner } from '../auth/jwt.ts';
import { digestToken } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import { Candidate, ENDED_INTERVIEW_STATUSES, Interview, InterviewStatus, VIOLATION_TYPES, type InterviewConfig, type ViolationType } from '../db/entities.ts';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '../errors.ts';
import type { Channel } from '../live/channel.ts';
import { afterCursor, KEYSET_ORDER, pageSize, toPage, type Page, type PageArgs } from '../pagination.ts';
import * as validate from '../validate.ts';
import { audit } from './audit.ts';
import type { InterviewService } from './interviews.ts';
import { ACCOMMODATION_LIMITS, accommodatedRules, hasAccommodations, NO_ACCOMMODATIONS, type Accommodations } from '../../contract/accommodations.ts';

/** Accommodations as clients send them: the whole set (what is left out is not accommodated). */
export interface AccommodationsInput {
  ignore?: readonly string[] | null | undefined;
  lookAwayDegrees?: number | null | undefined;
  allowAudio?: boolean | null | undefined;
  note?: string | null | undefined;
}

/** A candidate's accommodations changed (relayed between server processes: monitoring applies them from then on). */
export interface AccommodationsChanged {
  candidateId: string;
  accommodations: Accommodations;
}

export interface InviteInput {
  name: string;
  email: string;
  accommodations?: AccommodationsInput | null | undefined;
}

export interface Invitation {
  candidate: Candidate;
  link: string;
  token: string;
}

/** What the join page may show: nothing about other candidates, the host or the org. */
export interface CandidateView {
  candidate: Candidate;
  interview: Interview;
  /** The interview's rules as the candidate's page applies them (widened by the accommodations). */
  rules: InterviewConfig;
  accommodations: Accommodations;
}

export function accommodationsOf(candidate: Pick<Candidate, 'accommodations'>): Accommodations {
  return candidate.accommodations ?? NO_ACCOMMODATIONS;
}

/**
 * Checks accommodations against the interview's rules: known types (repeats dropped, in the
 * contract's order), a look-away angle wider than the interview's, a bounded note.
 */
export function validateAccommodations(input: AccommodationsInput, rules: InterviewConfig): Accommodations {
  const sent = input.ignore ?? [];
  if (sent.length > ACCOMMODATION_LIMITS.ignoreEntries) throw new ValidationError('accommodations.ignore', `at most ${ACCOMMODATION_LIMITS.ignoreEntries} entries`);
  const ignore = new Set(sent.map((type, i) => validate.oneOf<ViolationType>(`accommodations.ignore[${i}]`, type, VIOLATION_TYPES)));
  let lookAwayDegrees: number | null = null;
  if (input.lookAwayDegrees != null) {
    const { min, max } = ACCOMMODATION_LIMITS.lookAwayDegrees;
    lookAwayDegrees = validate.integerInRange('accommodations.lookAwayDegrees', input.lookAwayDegrees, min, max);
    if (lookAwayDegrees <= rules.lookAwayDegrees) {
      throw new ValidationError('accommodations.lookAwayDegrees', `must be above the interview's own threshold (${rules.lookAwayDegrees}°): an accommodation only widens it`);
    }
  }
  const note = input.note == null ? null : validate.text('accommodations.note', input.note, { min: 0, max: ACCOMMODATION_LIMITS.noteLength }) || null;
  return { ignore: VIOLATION_TYPES.filter((type) => ignore.has(type)), lookAwayDegrees, allowAudio: input.allowAudio === true, note };
}

/** Throws unless the candidate's link may still be used (not revoked, interview not over). */
export function assertJoinable(candidate: Candidate): void {
  const { status } = candidate.interview;
  if (candidate.tokenRevokedAt || status === InterviewStatus.COMPLETED || status === InterviewStatus.ARCHIVED) {
    throw new UnauthenticatedError('This interview link has been revoked: the interview is over');
  }
}

export class CandidateService {
  readonly #orm: MikroORM;
  readonly #signer: TokenSigner;
  readonly #config: Config;
  readonly #interviews: InterviewService;
  readonly #publicUrl: () => string;
  readonly #accommodationChanges: Channel<AccommodationsChanged>;

  constructor(orm: MikroORM, signer: TokenSigner, config: Config, interviews: InterviewService, publicUrl: () => string, accommodationChanges: Channel<AccommodationsChanged>) {
    this.#orm = orm;
    this.#signer = signer;
    this.#config = config;
    this.#interviews = interviews;
    this.#publicUrl = publicUrl;
    this.#accommodationChanges = accommodationChanges;
  }

  async invite(actor: OrgActor, interviewId: string, input: InviteInput): Promise<Invitation> {
    const name = validate.text('name', input.name, { max: 200 });
    const email = validate.email('email', input.email);
    const interview = await this.#interviews.get(actor, interviewId);
    if (interview.status !== InterviewStatus.SCHEDULED && interview.status !== InterviewStatus.LIVE) {
      throw new ConflictError(`Cannot invite to an interview that is ${interview.status}`, { status: interview.status });
    }
    const accommodations = input.accommodations ? validateAccommodations(input.accommodations, interview.config) : NO_ACCOMMODATIONS;
    const em = this.#orm.em.fork();
    // Valid from `lead` before the scheduled time (or now) until the interview ends; the
    // max age only bounds a link whose interview is never ended.
    const anchor = interview.scheduledAt ?? new Date();
    const notBefore = new Date(anchor.getTime() - this.#config.joinTokenLeadMs);
    const expiresAt = new Date(anchor.getTime() + this.#config.joinTokenMaxAgeMs);
    const candidateId = crypto.randomUUID();
    const token = await this.#signer.signJoin({ candidateId, interviewId: interview.id }, notBefore, expiresAt);
    const candidate = em.create(Candidate, {
      id: candidateId,
      interview: interview.id,
      name,
      email,
      joinTokenHash: digestToken(token),
      tokenNotBefore: notBefore,
      tokenExpiresAt: expiresAt,
      accommodations: hasAccommodations(accommodations) ? accommodations : null,
    });
    audit(em, actor, 'candidate.invite', { type: 'Candidate', id: candidateId }, { interviewId: interview.id, accommodations: candidate.accommodations });
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new ConflictError(`${email} is already invited to this interview`);
      throw error;
    }
    return { candidate, token, link: `${this.#publicUrl()}/i/${token}` };
  }

  /**
   * Replaces the candidate's accommodations (an empty set clears them). Allowed until the
   * interview ends, and applied from then on to what the candidate's page reports; once it has
   * ended the review decides (a reviewer dismisses flags). Audited before → after.
   */
  async setAccommodations(actor: OrgActor, candidateId: string, input: AccommodationsInput): Promise<Candidate> {
    if (!validate.isUuid(candidateId)) throw new NotFoundError('Candidate', candidateId);
    const candidate = await this.#orm.em.fork().transactional(async (tx) => {
      const found = await tx.findOne(Candidate, candidateId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      // Read FOR SHARE: an end racing this waits for it, or is seen here and refuses it.
      const interview = found && (await tx.findOne(Interview, { id: found.interview.id, org: actor.orgId }, { lockMode: LockMode.PESSIMISTIC_READ }));
      if (!found || !interview || !reachesInterview(actor, interview.id)) throw new NotFoundError('Candidate', candidateId);
      if (ENDED_INTERVIEW_STATUSES.includes(interview.status)) {
        throw new ConflictError(`Interview ${interview.id} is ${interview.status}: accommodations can change only until it ends (after that, the review decides)`, {
          reason: 'INTERVIEW_ENDED',
          status: interview.status,
        });
      }
      const accommodations = validateAccommodations(input, interview.config);
      const before = found.accommodations;
      found.accommodations = hasAccommodations(accommodations) ? accommodations : null;
      audit(tx, actor, 'candidate.accommodations.set', { type: 'Candidate', id: candidateId }, { interviewId: interview.id, before, after: found.accommodations });
      return found;
    });
    this.#accommodationChanges.publish(candidateId, { candidateId, accommodations: accommodationsOf(candidate) });
    return candidate;
  }

  async listForInterview(actor: OrgActor, interviewId: string, args: PageArgs): Promise<Page<Candidate>> {
    const first = pageSize(args);
    await this.#interviews.get(actor, interviewId);
    const rows = await this.#orm.em.fork().find(Candidate, { interview: interviewId, ...afterCursor(args.after) }, { orderBy: KEYSET_ORDER, limit: first + 1 });
    return toPage(rows, first);
  }

  /**
   * The candidate's answer on the consent screen, agreed or not, with the rules it was given
   * for: kept in the audit trail either way.
   */
  async recordConsent(actor: CandidateActor, agreed: boolean): Promise<{ agreed: boolean; at: Date }> {
    const em = this.#orm.em.fork();
    const candidate = await em.findOneOrFail(Candidate, actor.candidateId, { populate: ['interview'] });
    const accommodations = accommodationsOf(candidate);
    audit(
      em,
      actor,
      agreed ? 'candidate.consent.agreed' : 'candidate.consent.declined',
      { type: 'Candidate', id: candidate.id },
      {
        interviewId: candidate.interview.id,
        rules: accommodatedRules(candidate.interview.config, accommodations),
        accommodations,
      },
    );
    await em.flush();
    return { agreed, at: new Date() };
  }

  /** The join page's view of a link: checks signature, validity window and revocation. */
  async viewForToken(token: string): Promise<CandidateView> {
    await this.#signer.verifyJoin(token);
    const candidate = await this.#orm.em.fork().findOne(Candidate, { joinTokenHash: digestToken(token) }, { populate: ['interview'] });
    if (!candidate) throw new UnauthenticatedError('This interview link is not valid');
    assertJoinable(candidate);
    const accommodations = accommodationsOf(candidate);
    return { candidate, interview: candidate.interview, rules: accommodatedRules(candidate.interview.config, accommodations), accommodations };
  }
}
