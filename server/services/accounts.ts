// Host accounts: sign-up (which creates the org), login, and turning a bearer token into an Actor.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Actor, OrgActor } from '../auth/actor.ts';
import { TokenSigner, JOIN_AUDIENCE, HOST_AUDIENCE } from '../auth/jwt.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { digestToken } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import { ApiToken, Candidate, Host, Org } from '../db/entities.ts';
import { ConflictError, UnauthenticatedError } from '../errors.ts';
import { FixedWindowLimiter } from '../rate-limit.ts';
import { currentRequest } from '../request-context.ts';
import * as validate from '../validate.ts';
import { audit } from './audit.ts';
import { API_TOKEN_PREFIX } from './api-tokens.ts';
import { assertJoinable } from './candidates.ts';

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
const LOGIN_RECHECK_INTERVAL_MS = 60_000;
/** One address may try several accounts (an office behind one NAT), so it gets a larger budget. */
const ADDRESS_BUDGET_FACTOR = 5;

export class AccountService {
  readonly #orm: MikroORM;
  readonly #signer: TokenSigner;
  readonly #config: Config;
  readonly #emailLimiter: FixedWindowLimiter;
  readonly #addressLimiter: FixedWindowLimiter;
  readonly #verifiedLogins = new Map<string, { actor: Actor; until: number }>();

  constructor(orm: MikroORM, signer: TokenSigner, config: Config) {
    this.#orm = orm;
    this.#signer = signer;
    this.#config = config;
    this.#emailLimiter = new FixedWindowLimiter(config.loginAttempts, config.loginWindowMs);
    this.#addressLimiter = new FixedWindowLimiter(config.loginAttempts * ADDRESS_BUDGET_FACTOR, config.loginWindowMs);
  }

  async signUp(input: SignUpInput): Promise<Authenticated> {
    const email = validate.email('email', input.email);
    const password = validate.password('password', input.password);
    const orgName = validate.text('orgName', input.orgName, { max: 100 });
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

  /** One generic error for unknown email and wrong password; attempts limited per email and address. */
  async logIn(input: LogInInput): Promise<Authenticated> {
    const email = input.email.trim().toLowerCase();
    const address = currentRequest()?.clientAddress ?? 'local';
    const message = 'Too many failed login attempts; try again later';
    this.#emailLimiter.check(email, message);
    this.#addressLimiter.check(address, message);
    const em = this.#orm.em.fork();
    const host = await em.findOne(Host, { email });
    const ok = await verifyPassword(input.password, host?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!host || !ok) {
      this.#emailLimiter.hit(email);
      this.#addressLimiter.hit(address);
      throw new UnauthenticatedError('Invalid email or password');
    }
    this.#emailLimiter.reset(email);
    host.lastLoginAt = new Date();
    audit(em, { kind: 'host', hostId: host.id, orgId: host.org.id }, 'host.logIn', { type: 'Host', id: host.id });
    await em.flush();
    return { token: await this.#issue(host), host };
  }

  /** Resolves `Authorization: Bearer …` (host JWT, API token or join token) to an Actor. */
  async authenticate(bearer: string): Promise<Actor> {
    if (bearer.startsWith(API_TOKEN_PREFIX)) return this.#authenticateApiToken(bearer);
    switch (TokenSigner.peekAudience(bearer)) {
      case HOST_AUDIENCE:
        return this.#authenticateHost(bearer);
      case JOIN_AUDIENCE: {
        const claims = await this.#signer.verifyJoin(bearer);
        const candidate = await this.#orm.em.fork().findOne(Candidate, { joinTokenHash: digestToken(bearer) }, { populate: ['interview'] });
        if (!candidate) throw new UnauthenticatedError('This interview link is not valid');
        assertJoinable(candidate);
        return { kind: 'candidate', candidateId: claims.candidateId, interviewId: claims.interviewId, orgId: candidate.interview.org.id };
      }
      default:
        throw new UnauthenticatedError('The bearer token is not a Proctor token');
    }
  }

  async viewer(actor: OrgActor): Promise<Viewer> {
    const em = this.#orm.em.fork();
    const org = await em.findOneOrFail(Org, actor.orgId);
    if (actor.kind === 'host') return { org, host: await em.findOneOrFail(Host, actor.hostId), apiToken: null };
    return { org, host: null, apiToken: await em.findOneOrFail(ApiToken, actor.tokenId) };
  }

  /**
   * Host logins are on every dashboard call, so a verified one is remembered for a minute
   * (never past its expiry): the signature check and the "host still exists" query — a signed
   * login must not outlive a wiped database behind a configured key — run once a minute.
   */
  async #authenticateHost(token: string): Promise<Actor> {
    const now = Date.now();
    const cached = this.#verifiedLogins.get(token);
    if (cached && now < cached.until) return cached.actor;
    const claims = await this.#signer.verifyHost(token);
    const exists = await this.#orm.em.fork().count(Host, { id: claims.hostId, org: claims.orgId });
    if (!exists) throw new UnauthenticatedError('Your login is no longer valid');
    const actor: Actor = { kind: 'host', hostId: claims.hostId, orgId: claims.orgId };
    if (this.#verifiedLogins.size >= 10_000) this.#verifiedLogins.clear();
    this.#verifiedLogins.set(token, { actor, until: Math.min(claims.expiresAt, now + LOGIN_RECHECK_INTERVAL_MS) });
    return actor;
  }

  async #authenticateApiToken(token: string): Promise<Actor> {
    const em: EntityManager = this.#orm.em.fork();
    const apiToken = await em.findOne(ApiToken, { tokenHash: digestToken(token) });
    if (!apiToken) throw new UnauthenticatedError('The API token is not valid');
    if (apiToken.revokedAt) throw new UnauthenticatedError('The API token has been revoked');
    const now = Date.now();
    if (!apiToken.lastUsedAt || now - apiToken.lastUsedAt.getTime() > API_TOKEN_TOUCH_INTERVAL_MS) {
      await em.nativeUpdate(ApiToken, { id: apiToken.id }, { lastUsedAt: new Date(now) });
    }
    return { kind: 'apiToken', tokenId: apiToken.id, orgId: apiToken.org.id };
  }

  #issue(host: Host): Promise<string> {
    return this.#signer.signHost({ hostId: host.id, orgId: host.org.id }, this.#config.hostTokenTtlMs);
  }
}
