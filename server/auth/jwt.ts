// Signed tokens (HS256 JWTs): host logins, candidate join links, room links and the room logins
// they are exchanged for, and candidate statement links. Each kind has its own audience so one can never be used as the other.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignJWT, errors, jwtVerify, type JWTPayload } from 'jose';
import { UnauthenticatedError } from '../errors.ts';

const ISSUER = 'proctor';
export const HOST_AUDIENCE = 'proctor:host';
export const JOIN_AUDIENCE = 'proctor:join';
/** A room link: only exchanged for a room login, never accepted as a bearer token. */
export const ROOM_AUDIENCE = 'proctor:room';
/** A room login: a bearer token for one interview's room. */
export const ROOM_SESSION_AUDIENCE = 'proctor:room-session';
/** A review link (one candidate of an ended interview): only exchanged for a review login. */
export const REVIEW_AUDIENCE = 'proctor:review';
/** A review login: a bearer token for reviewing one ended interview. */
export const REVIEW_SESSION_AUDIENCE = 'proctor:review-session';
/** The tokens that open one interview's page for a host: room and review links and logins. */
export type InterviewAudience = typeof ROOM_AUDIENCE | typeof ROOM_SESSION_AUDIENCE | typeof REVIEW_AUDIENCE | typeof REVIEW_SESSION_AUDIENCE;
/** A candidate statement link: read one completed review and leave one statement; never a bearer token. */
export const STATEMENT_AUDIENCE = 'proctor:statement';
type Audience = typeof HOST_AUDIENCE | typeof JOIN_AUDIENCE | InterviewAudience | typeof STATEMENT_AUDIENCE;
/** The audiences a bearer token may have. */
export type BearerAudience = typeof HOST_AUDIENCE | typeof JOIN_AUDIENCE | typeof ROOM_SESSION_AUDIENCE | typeof REVIEW_SESSION_AUDIENCE;
const BEARER_AUDIENCES: ReadonlySet<string> = new Set([HOST_AUDIENCE, JOIN_AUDIENCE, ROOM_SESSION_AUDIENCE, REVIEW_SESSION_AUDIENCE]);
const INTERVIEW_TOKEN_NAMES: Record<InterviewAudience, string> = {
  [ROOM_AUDIENCE]: 'This room link',
  [ROOM_SESSION_AUDIENCE]: 'Your room login',
  [REVIEW_AUDIENCE]: 'This review link',
  [REVIEW_SESSION_AUDIENCE]: 'Your review login',
};

export interface HostClaims {
  hostId: string;
  orgId: string;
  /** The host's token version when signed: a later version (logout everywhere, new password) voids it. */
  version: number;
}

export interface VerifiedHostToken extends HostClaims {
  expiresAt: number;
}

export interface JoinClaims {
  candidateId: string;
  interviewId: string;
}

export interface VerifiedJoinToken extends JoinClaims {
  expiresAt: number;
}

export interface RoomClaims extends HostClaims {
  interviewId: string;
  /** A review link's candidate (the page opens on it). */
  candidateId?: string;
}

export interface VerifiedRoomToken extends RoomClaims {
  expiresAt: number;
}

export interface StatementClaims {
  candidateId: string;
  interviewId: string;
  orgId: string;
}

export interface VerifiedStatementToken extends StatementClaims {
  expiresAt: number;
}

export class TokenSigner {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  signHost(claims: HostClaims, ttlMs: number): Promise<string> {
    return (
      new SignJWT({ org: claims.orgId, ver: claims.version })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(HOST_AUDIENCE)
        .setSubject(claims.hostId)
        // Two logins in the same second must still differ: logging out one leaves the other.
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime(new Date(Date.now() + ttlMs))
        .sign(this.#key)
    );
  }

  signJoin(claims: JoinClaims, notBefore: Date, expiresAt: Date): Promise<string> {
    return new SignJWT({ itv: claims.interviewId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(JOIN_AUDIENCE)
      .setSubject(claims.candidateId)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setNotBefore(notBefore)
      .setExpirationTime(expiresAt)
      .sign(this.#key);
  }

  /** A room or review link, or the login it is exchanged for. */
  signRoom(audience: InterviewAudience, claims: RoomClaims, expiresAt: Date): Promise<string> {
    return new SignJWT({ org: claims.orgId, itv: claims.interviewId, ver: claims.version, ...(claims.candidateId ? { cid: claims.candidateId } : {}) })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setSubject(claims.hostId)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.#key);
  }

  async verifyRoom(audience: InterviewAudience, token: string): Promise<VerifiedRoomToken> {
    const payload = await this.#verify(token, audience, INTERVIEW_TOKEN_NAMES[audience]);
    const candidate = typeof payload.cid === 'string' ? { candidateId: payload.cid } : {};
    return { ...hostClaims(payload), interviewId: String(payload.itv), ...candidate, expiresAt: Number(payload.exp) * 1000 };
  }

  signStatement(claims: StatementClaims, expiresAt: Date): Promise<string> {
    return new SignJWT({ org: claims.orgId, itv: claims.interviewId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(STATEMENT_AUDIENCE)
      .setSubject(claims.candidateId)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.#key);
  }

  async verifyStatement(token: string): Promise<VerifiedStatementToken> {
    const payload = await this.#verify(token, STATEMENT_AUDIENCE, 'This statement link');
    return { candidateId: String(payload.sub), interviewId: String(payload.itv), orgId: String(payload.org), expiresAt: Number(payload.exp) * 1000 };
  }

  async verifyHost(token: string): Promise<VerifiedHostToken> {
    const payload = await this.#verify(token, HOST_AUDIENCE, 'Your login');
    return { ...hostClaims(payload), expiresAt: Number(payload.exp) * 1000 };
  }

  async verifyJoin(token: string): Promise<VerifiedJoinToken> {
    const payload = await this.#verify(token, JOIN_AUDIENCE, 'This interview link');
    return { candidateId: String(payload.sub), interviewId: String(payload.itv), expiresAt: Number(payload.exp) * 1000 };
  }

  /** An HMAC of `data` for one purpose (signed download links), keyed like the JWTs. */
  mac(purpose: string, data: string): string {
    return createHmac('sha256', this.#key).update(`${purpose}\n${data}`).digest('base64url');
  }

  verifyMac(purpose: string, data: string, mac: string): boolean {
    const expected = Buffer.from(this.mac(purpose, data));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** The audience a token claims, without trusting it: only to route it to the right verifier. */
  static peekAudience(token: string): BearerAudience | undefined {
    const [, body] = token.split('.');
    if (!body) return undefined;
    try {
      const { aud } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { aud?: unknown };
      return typeof aud === 'string' && BEARER_AUDIENCES.has(aud) ? (aud as BearerAudience) : undefined;
    } catch {
      return undefined;
    }
  }

  async #verify(token: string, audience: Audience, what: string) {
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, audience, algorithms: ['HS256'] });
      return payload;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new UnauthenticatedError(`${what} has expired`, { reason: 'EXPIRED' });
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
        throw new UnauthenticatedError(`${what} is not valid yet`);
      }
      throw new UnauthenticatedError(`${what} is not valid`);
    }
  }
}

/** Tokens signed before token versions existed carry none: they are version 0, the column's start. */
function hostClaims(payload: JWTPayload): HostClaims {
  return { hostId: String(payload.sub), orgId: String(payload.org), version: Number(payload.ver ?? 0) };
}
