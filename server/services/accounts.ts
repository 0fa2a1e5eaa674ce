// Host accounts: sign-up (which creates the org), login and logout, and turning a bearer token
// into a verified credential.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Actor, HostActor, OrgActor } from '../auth/actor.ts';
import { HOST_AUDIENCE, JOIN_AUDIENCE, REVIEW_SESSION_AUDIENCE, ROOM_SESSION_AUDIENCE, TokenSigner, type HostClaims } from '../auth/jwt.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { revocationKey, type Credential, type Revocations } from '../auth/revocations.ts';
import { digestToken } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import { ApiToken, Candidate, ENDED_INTERVIEW_STATUSES, Host, InterviewStatus, Org } from '../db/entities.ts';
import { ConflictError, ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { FixedWindowLimiter } from '../rate-limit.ts';
import { currentRequest } from '../request-context.ts';
import * as validate from '../validate.ts';
import { audit } from './audit.ts';
import { API_TOKEN_PREFIX } from './api-tokens.ts';
import { assertJoinable } from './candidates.ts';
import { LoginStore } from './login-store.ts';
import { voidToken } from './revoked-tokens.ts';

export interface SignUpInput {
  email: string;
  password: string;
  orgName: string;
}

export interface LogInInput {
  email: string;
  password: string;
}

export interface Authenticated {
  token: string;
  host: Host;
}

export interface Viewer {
  org: Org;
  host: Host | null;
  apiToken: ApiToken | null;
}

const API_TOKEN_TOUCH_INTERVAL_MS = 60_000;
/** One address may try several accounts (an office behind one NAT), so it gets a larger budget. */
const ADDRESS_BUDGET_FACTOR = 5;
const LOGIN_LIMITED = 'Too many failed login attempts; try again later';
const SIGN_UP_LIMITED = 'Too many sign-ups from this address; try again later';
/** A room login may be used while its interview has not ended. */
const ROOM_OPEN_STATUSES: ReadonlySet<string> = new Set([InterviewStatus.SCHEDULED, InterviewStatus.LIVE]);
const REVIEWABLE_STATUSES: ReadonlySet<string> = new Set(ENDED_INTERVIEW_STATUSES);

/** The interview a room or review login is for, and the statuses in which that login holds. */
interface LoginInterview {
  id: string;
  statuses: ReadonlySet<string>;
  endedReason: string;
}

/** The caller's address for rate limits (HTTP request or graphql-ws socket). */
function clientAddress(): string {
  return currentRequest()?.clientAddress ?? 'local';
}

export class AccountService {
  readonly #orm: MikroORM;
  readonly #logins: LoginStore;
  readonly #signer: TokenSigner;
  readonly #config: Config;
  readonly #revocations: Revocations;
  readonly #emailLimiter: FixedWindowLimiter;
  readonly #addressLimiter: FixedWindowLimiter;
  readonly #signUpLimiter: FixedWindowLimiter;

  constructor(orm: MikroORM, signer: TokenSigner, config: Config, revocations: Revocations) {
    this.#orm = orm;
    this.#logins = new LoginStore(orm);
    this.#signer = signer;
    this.#config = config;
    this.#revocations = revocations;
    this.#emailLimiter = new FixedWindowLimiter(config.loginAttempts, config.loginWindowMs);
    this.#addressLimiter = new FixedWindowLimiter(config.loginAttempts * ADDRESS_BUDGET_FACTOR, config.loginWindowMs);
    this.#signUpLimiter = new FixedWindowLimiter(config.signUpAttempts, config.signUpWindowMs);
  }

  /**
   * Every sign-up counts against its address's budget, taken or not. A sign-up that logs in at
   * once cannot hide that an email is taken (it either returns a login or does not), so that
   * answer is what the budget limits; a taken email costs the same password hashing as a new
   * one, so timing adds nothing to it.
   */
  async signUp(input: SignUpInput): Promise<Authenticated> {
    const email = validate.email('email', input.email);
    const password = validate.password('password', input.password);
    const orgName = validate.text('orgName', input.orgName, { max: 100 });
    this.#signUpLimiter.take(clientAddress(), SIGN_UP_LIMITED);
    const passwordHash = await hashPassword(password);
    const em = this.#orm.em.fork();
    const org = em.create(Org, { name: orgName });
    const host = em.create(Host, { org, email, passwordHash });
    audit(em, { kind: 'host', hostId: host.id, orgId: org.id }, 'host.signUp', { type: 'Host', id: host.id });
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new ConflictError('An account with this email already exists');
      throw error;
    }
    return { token: await this.#issue(host), host };
  }

  /**
   * One generic error for unknown email and wrong password. Attempts are limited per email and
   * per address, and counted before the password is checked: parallel guesses cannot all pass
   * the limit while the first ones are still hashing. A success gives its attempts back.
   */
  async logIn(input: LogInInput): Promise<Authenticated> {
    const email = input.email.trim().toLowerCase();
    const address = clientAddress();
    this.#emailLimiter.check(email, LOGIN_LIMITED);
    this.#addressLimiter.take(address, LOGIN_LIMITED);
    this.#emailLimiter.take(email, LOGIN_LIMITED);
    const em = this.#orm.em.fork();
    // An email PostgreSQL cannot even compare (a NUL character) belongs to no host: the same generic answer.
    const host = validate.isStorableText(email) ? await em.findOne(Host, { email }) : null;
    const ok = await verifyPassword(input.password, host?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!host || !ok) throw new UnauthenticatedError('Invalid email or password');
    this.#emailLimiter.reset(email);
    this.#addressLimiter.refund(address);
    host.lastLoginAt = new Date();
    audit(em, { kind: 'host', hostId: host.id, orgId: host.org.id }, 'host.logIn', { type: 'Host', id: host.id });
    await em.flush();
    return { token: await this.#issue(host), host };
  }

  /** Voids the login (or room login) the request came with, everywhere, at once. */
  async logOut(credential: Credential): Promise<void> {
    const { actor } = credential;
    if (actor.kind === 'apiToken') throw new ForbiddenError('An API token is not logged out: revoke it with revokeApiToken');
    if (actor.kind === 'candidate') throw new ForbiddenError('A candidate link cannot log out');
    const em = this.#orm.em.fork();
    await voidToken(em, credential.tokenDigest, new Date(credential.expiresAt ?? Date.now()));
    audit(em, actor, 'host.logOut', { type: 'Host', id: actor.hostId });
    await em.flush();
    this.#revocations.revoke(revocationKey.token(credential.tokenDigest), 'You logged out');
  }

  /** Voids every login and room login of the host (a lost laptop). */
  async logOutEverywhere(actor: OrgActor): Promise<void> {
    const host = this.#requireHost(actor, 'log out everywhere');
    const em = this.#orm.em.fork();
    await this.#logins.bumpTokenVersion(host.hostId, undefined);
    audit(em, host, 'host.logOutEverywhere', { type: 'Host', id: host.hostId });
    await em.flush();
    this.#revocations.revoke(revocationKey.host(host.hostId), 'You logged out everywhere');
  }

  /** A new password voids every other login; the answer is a fresh one. */
  async changePassword(actor: OrgActor, currentPassword: string, newPassword: string): Promise<Authenticated> {
    const { hostId } = this.#requireHost(actor, 'change the password');
    const password = validate.password('newPassword', newPassword);
    const em = this.#orm.em.fork();
    const host = await em.findOneOrFail(Host, hostId);
    // The current password is a guess like a login's, and limited the same way.
    this.#emailLimiter.take(host.email, LOGIN_LIMITED);
    if (!(await verifyPassword(currentPassword, host.passwordHash))) throw new UnauthenticatedError('The current password is not right');
    this.#emailLimiter.reset(host.email);
    await this.#logins.bumpTokenVersion(hostId, await hashPassword(password));
    audit(em, actor, 'host.changePassword', { type: 'Host', id: hostId });
    await em.flush();
    await em.refresh(host);
    this.#revocations.revoke(revocationKey.host(hostId), 'Your password was changed');
    return { token: await this.#issue(host), host };
  }

  /** Resolves `Authorization: Bearer …` (host login, room login, API token or join link) to a credential. */
  async verify(bearer: string): Promise<Credential> {
    if (bearer.startsWith(API_TOKEN_PREFIX)) return this.#verifyApiToken(bearer);
    switch (TokenSigner.peekAudience(bearer)) {
      case HOST_AUDIENCE:
        return this.#verifyHost(bearer);
      case ROOM_SESSION_AUDIENCE:
        return this.#verifyRoomLogin(bearer);
      case REVIEW_SESSION_AUDIENCE:
        return this.#verifyReviewLogin(bearer);
      case JOIN_AUDIENCE:
        return this.#verifyJoinLink(bearer);
      default:
        throw new UnauthenticatedError('The bearer token is not a Proctor token');
    }
  }

  async authenticate(bearer: string): Promise<Actor> {
    return (await this.verify(bearer)).actor;
  }

  async viewer(actor: OrgActor): Promise<Viewer> {
    const em = this.#orm.em.fork();
    const org = await em.findOneOrFail(Org, actor.orgId);
    if (actor.kind === 'apiToken') return { org, host: null, apiToken: await em.findOneOrFail(ApiToken, actor.tokenId) };
    return { org, host: await em.findOneOrFail(Host, actor.hostId), apiToken: null };
  }

  /**
   * Checked on every request and every operation on a socket: the signature, and that the login
   * is still current (host exists — a signed login must not outlive a wiped database behind a
   * configured key —, same token version, not logged out): one indexed query.
   */
  async #verifyHost(token: string): Promise<Credential> {
    const claims = await this.#signer.verifyHost(token);
    const tokenDigest = digestToken(token);
    await this.#assertCurrent(claims, tokenDigest);
    return {
      actor: { kind: 'host', hostId: claims.hostId, orgId: claims.orgId },
      tokenDigest,
      expiresAt: claims.expiresAt,
      expiredReason: 'Your login has expired',
      revokedBy: [revocationKey.host(claims.hostId), revocationKey.token(tokenDigest)],
    };
  }

  async #verifyRoomLogin(token: string): Promise<Credential> {
    const claims = await this.#signer.verifyRoom(ROOM_SESSION_AUDIENCE, token);
    const tokenDigest = digestToken(token);
    await this.#assertCurrent(claims, tokenDigest, { id: claims.interviewId, statuses: ROOM_OPEN_STATUSES, endedReason: 'Your room login ended with the interview' });
    return {
      actor: { kind: 'room', hostId: claims.hostId, orgId: claims.orgId, interviewId: claims.interviewId },
      tokenDigest,
      expiresAt: claims.expiresAt,
      expiredReason: 'Your room login has expired: run `proctor room` for a new link',
      revokedBy: [revocationKey.host(claims.hostId), revocationKey.token(tokenDigest), revocationKey.interview(claims.interviewId)],
    };
  }

  /** A review login: its interview stays ended (an archive keeps it reviewable); ends with the host's logins. */
  async #verifyReviewLogin(token: string): Promise<Credential> {
    const claims = await this.#signer.verifyRoom(REVIEW_SESSION_AUDIENCE, token);
    const tokenDigest = digestToken(token);
    await this.#assertCurrent(claims, tokenDigest, { id: claims.interviewId, statuses: REVIEWABLE_STATUSES, endedReason: 'This interview can no longer be reviewed' });
    return {
      actor: { kind: 'review', hostId: claims.hostId, orgId: claims.orgId, interviewId: claims.interviewId },
      tokenDigest,
      expiresAt: claims.expiresAt,
      expiredReason: 'Your review login has expired: run `proctor review` for a new link',
      revokedBy: [revocationKey.host(claims.hostId), revocationKey.token(tokenDigest)],
    };
  }

  async #verifyJoinLink(token: string): Promise<Credential> {
    const claims = await this.#signer.verifyJoin(token);
    const tokenDigest = digestToken(token);
    const candidate = await this.#orm.em.fork().findOne(Candidate, { joinTokenHash: tokenDigest }, { populate: ['interview'] });
    if (!candidate) throw new UnauthenticatedError('This interview link is not valid');
    assertJoinable(candidate);
    return {
      actor: { kind: 'candidate', candidateId: claims.candidateId, interviewId: claims.interviewId, orgId: candidate.interview.org.id },
      tokenDigest,
      expiresAt: claims.expiresAt,
      expiredReason: 'This interview link has expired',
      revokedBy: [revocationKey.interview(claims.interviewId)],
    };
  }

  async #verifyApiToken(token: string): Promise<Credential> {
    const em: EntityManager = this.#orm.em.fork();
    const tokenDigest = digestToken(token);
    const apiToken = await em.findOne(ApiToken, { tokenHash: tokenDigest });
    if (!apiToken) throw new UnauthenticatedError('The API token is not valid');
    if (apiToken.revokedAt) throw new UnauthenticatedError('The API token has been revoked');
    const now = Date.now();
    if (!apiToken.lastUsedAt || now - apiToken.lastUsedAt.getTime() > API_TOKEN_TOUCH_INTERVAL_MS) {
      await em.nativeUpdate(ApiToken, { id: apiToken.id }, { lastUsedAt: new Date(now) });
    }
    return {
      actor: { kind: 'apiToken', tokenId: apiToken.id, orgId: apiToken.org.id, scopes: apiToken.scopes },
      tokenDigest,
      expiresAt: null,
      expiredReason: 'The API token has expired',
      revokedBy: [revocationKey.apiToken(apiToken.id)],
    };
  }

  /** Throws unless the signed login is still current (and, for a room or review login, its interview in a status it holds in). */
  async #assertCurrent(claims: HostClaims, tokenDigest: string, interview?: LoginInterview): Promise<void> {
    const state = await this.#logins.loginState({ hostId: claims.hostId, orgId: claims.orgId, tokenDigest, interviewId: interview?.id });
    if (!state || state.revoked || state.tokenVersion !== claims.version) throw new UnauthenticatedError('Your login is no longer valid: log in again');
    if (interview && !interview.statuses.has(state.interviewStatus ?? '')) throw new UnauthenticatedError(interview.endedReason);
  }

  #requireHost(actor: OrgActor, what: string): HostActor {
    if (actor.kind !== 'host') throw new ForbiddenError(`Only a host login can ${what}`);
    return actor;
  }

  #issue(host: Host): Promise<string> {
    return this.#signer.signHost({ hostId: host.id, orgId: host.org.id, version: host.tokenVersion }, this.#config.hostTokenTtlMs);
  }
}
