// Candidates and their join links. A link is a short-lived signed JWT bound to candidate and
// interview; the database keeps only its SHA-256, which is what revocation and lookup use.
import type { MikroORM } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { CandidateActor, OrgActor } from '../auth/actor.ts';
import type { TokenSigner } from '../auth/jwt.ts';
import { digestToken } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import { Candidate, Interview, InterviewStatus, type InterviewConfig } from '../db/entities.ts';
import { ConflictError, UnauthenticatedError } from '../errors.ts';
import { afterCursor, KEYSET_ORDER, pageSize, toPage, type Page, type PageArgs } from '../pagination.ts';
import * as validate from '../validate.ts';
import { audit } from './audit.ts';
import type { InterviewService } from './interviews.ts';

export interface InviteInput {
  name: string;
  email: string;
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
  rules: InterviewConfig;
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

  constructor(orm: MikroORM, signer: TokenSigner, config: Config, interviews: InterviewService, publicUrl: () => string) {
    this.#orm = orm;
    this.#signer = signer;
    this.#config = config;
    this.#interviews = interviews;
    this.#publicUrl = publicUrl;
  }

  async invite(actor: OrgActor, interviewId: string, input: InviteInput): Promise<Invitation> {
    const name = validate.text('name', input.name, { max: 200 });
    const email = validate.email('email', input.email);
    const interview = await this.#interviews.get(actor, interviewId);
    if (interview.status !== InterviewStatus.SCHEDULED && interview.status !== InterviewStatus.LIVE) {
      throw new ConflictError(`Cannot invite to an interview that is ${interview.status}`, { status: interview.status });
    }
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
    });
    audit(em, actor, 'candidate.invite', { type: 'Candidate', id: candidateId }, { interviewId: interview.id });
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new ConflictError(`${email} is already invited to this interview`);
      throw error;
    }
    return { candidate, token, link: `${this.#publicUrl()}/i/${token}` };
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
    audit(
      em,
      actor,
      agreed ? 'candidate.consent.agreed' : 'candidate.consent.declined',
      { type: 'Candidate', id: candidate.id },
      {
        interviewId: candidate.interview.id,
        rules: candidate.interview.config,
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
    return { candidate, interview: candidate.interview, rules: candidate.interview.config };
  }
}
