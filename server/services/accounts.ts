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
const HOST_RECHECK_INTERVAL_MS = 60_000;
/** One address may try several accounts (an office behind one NAT), so it gets a larger budget. */
const ADDRESS_BUDGET_FACTOR = 5;

export class AccountService {
  readonly #orm: MikroORM;
  readonly #signer: TokenSigner;
  readonly #config: Config;
  readonly #emailLimiter: FixedWindowLimiter;
  readonly #addressLimiter: FixedWindowLimiter;
  readonly #verifiedHosts = new Map<string, number>();

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
      case HOST_AUDIENCE: {
        const claims = await this.#signer.verifyHost(bearer);
        if (!(await this.#hostExists(claims.hostId, claims.orgId))) throw new UnauthenticatedError('Your login is no longer valid');
        return { kind: 'host', ...claims };
      }
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
   * A signed login whose host is gone (a wiped database behind a configured key) must not pass.
   * Checked once a minute per host rather than on every request: this is on every API call.
   */
  async #hostExists(hostId: string, orgId: string): Promise<boolean> {
    const key = `${orgId}/${hostId}`;
    const checkedAt = this.#verifiedHosts.get(key);
    if (checkedAt !== undefined && Date.now() - checkedAt < HOST_RECHECK_INTERVAL_MS) return true;
    const exists = (await this.#orm.em.fork().count(Host, { id: hostId, org: orgId })) > 0;
    if (this.#verifiedHosts.size >= 10_000) this.#verifiedHosts.clear();
    if (exists) this.#verifiedHosts.set(key, Date.now());
    return exists;
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
