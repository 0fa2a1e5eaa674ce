// Review links (`proctor review <interview>`): like a room link, a short-lived signed token, here
// for one candidate of an ended interview. The review page exchanges it, once, for a review login:
// a credential that reads that interview, gives verdicts and completes reviews — nothing else of
// the org — and ends after PROCTOR_ROOM_SESSION_TTL or when the host's logins end.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import { REVIEW_AUDIENCE, REVIEW_SESSION_AUDIENCE, type TokenSigner } from '../auth/jwt.ts';
import { digestToken } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import { Candidate, ENDED_INTERVIEW_STATUSES, Host, Interview } from '../db/entities.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../errors.ts';
import { audit } from '../services/audit.ts';
import type { InterviewService } from '../services/interviews.ts';
import { voidToken } from '../services/revoked-tokens.ts';
import * as validate from '../validate.ts';

export interface ReviewLink {
  url: string;
  expiresAt: Date;
  candidateId: string;
}

export interface ReviewEntry {
  token: string;
  interviewId: string;
  candidateId: string;
  expiresAt: Date;
}

/** How many candidates an "ambiguous candidate" error lists by name. */
const LISTED_CANDIDATES = 20;

export class ReviewLinkService {
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

  /** A link to review one candidate (the only one, when `candidateId` is omitted) of an ended interview. */
  async createLink(actor: OrgActor, interviewId: string, candidateId?: string | null): Promise<ReviewLink> {
    if (actor.kind !== 'host') throw new ForbiddenError('Review links log a host in: use a host login, not an API token, a room or a review login');
    const interview = await this.#interviews.get(actor, interviewId);
    if (!ENDED_INTERVIEW_STATUSES.includes(interview.status)) {
      throw new ConflictError(`Interview ${interview.id} is ${interview.status}: only an ended interview (COMPLETED or ARCHIVED) can be reviewed`, {
        reason: 'INTERVIEW_NOT_ENDED',
        status: interview.status,
      });
    }
    const candidate = await this.#candidateOf(interview, candidateId);
    const em = this.#orm.em.fork();
    const host = await em.findOneOrFail(Host, actor.hostId);
    const expiresAt = new Date(Date.now() + this.#config.roomLinkTtlMs);
    const claims = { hostId: actor.hostId, orgId: actor.orgId, interviewId: interview.id, candidateId: candidate.id, version: host.tokenVersion };
    const token = await this.#signer.signRoom(REVIEW_AUDIENCE, claims, expiresAt);
    return { url: `${this.#publicUrl()}/r/${interview.id}#${token}`, expiresAt, candidateId: candidate.id };
  }

  /** Exchanges a review link's token for a review login (audited); each link works once, on any server process. */
  async enter(token: string): Promise<ReviewEntry> {
    const claims = await this.#signer.verifyRoom(REVIEW_AUDIENCE, token);
    const em = this.#orm.em.fork();
    const host = await em.findOne(Host, { id: claims.hostId, org: claims.orgId });
    if (!host || host.tokenVersion !== claims.version || !claims.candidateId) throw new UnauthenticatedError('This review link is no longer valid');
    const interview = await em.findOne(Interview, { id: claims.interviewId, org: claims.orgId });
    if (!interview || !ENDED_INTERVIEW_STATUSES.includes(interview.status)) throw new UnauthenticatedError('This interview can no longer be reviewed');
    if (!(await voidToken(em, digestToken(token), new Date(claims.expiresAt)))) {
      throw new UnauthenticatedError('This review link has been used already: run `proctor review` for a new one');
    }
    const actor = { kind: 'review' as const, hostId: claims.hostId, orgId: claims.orgId, interviewId: claims.interviewId };
    audit(em, actor, 'host.enterReview', { type: 'Candidate', id: claims.candidateId }, { interviewId: claims.interviewId });
    await em.flush();
    const expiresAt = new Date(Date.now() + this.#config.roomSessionTtlMs);
    const session = await this.#signer.signRoom(REVIEW_SESSION_AUDIENCE, { ...claims, candidateId: undefined }, expiresAt);
    return { token: session, interviewId: claims.interviewId, candidateId: claims.candidateId, expiresAt };
  }

  async #candidateOf(interview: Interview, candidateId: string | null | undefined): Promise<Candidate> {
    const em = this.#orm.em.fork();
    if (candidateId !== undefined && candidateId !== null) {
      const candidate = validate.isUuid(candidateId) ? await em.findOne(Candidate, { id: candidateId, interview: interview.id }) : null;
      if (!candidate) throw new NotFoundError('Candidate', candidateId);
      return candidate;
    }
    const candidates = await em.find(Candidate, { interview: interview.id }, { orderBy: { createdAt: 'asc' }, limit: LISTED_CANDIDATES + 1 });
    if (candidates.length === 1) return candidates[0]!;
    if (candidates.length === 0) throw new ValidationError('candidateId', `Interview ${interview.id} has no candidates to review`);
    const listed = candidates.slice(0, LISTED_CANDIDATES).map((c) => `${c.id} (${c.name})`);
    const more = candidates.length > LISTED_CANDIDATES ? ', …' : '';
    throw new ValidationError('candidateId', `Interview ${interview.id} has several candidates: choose one of ${listed.join(', ')}${more}`);
  }
}
