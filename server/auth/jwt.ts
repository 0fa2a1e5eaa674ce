// Signed tokens (HS256 JWTs): host logins and candidate join links. Each kind has its own
// audience so one can never be used as the other.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { UnauthenticatedError } from '../errors.ts';

const ISSUER = 'proctor';
export const HOST_AUDIENCE = 'proctor:host';
export const JOIN_AUDIENCE = 'proctor:join';
/** A room link: only exchanged for a host login, never accepted as a bearer token. */
export const ROOM_AUDIENCE = 'proctor:room';
type Audience = typeof HOST_AUDIENCE | typeof JOIN_AUDIENCE | typeof ROOM_AUDIENCE;

export interface HostClaims {
  hostId: string;
  orgId: string;
}

export interface VerifiedHostToken extends HostClaims {
  expiresAt: number;
}

export interface JoinClaims {
  candidateId: string;
  interviewId: string;
}

export interface RoomClaims extends HostClaims {
  interviewId: string;
}

export interface VerifiedRoomToken extends RoomClaims {
  /** The token's own id, to use it once. */
  tokenId: string;
  expiresAt: number;
}

export class TokenSigner {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  signHost(claims: HostClaims, ttlMs: number): Promise<string> {
    return new SignJWT({ org: claims.orgId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(HOST_AUDIENCE)
      .setSubject(claims.hostId)
      .setIssuedAt()
      .setExpirationTime(new Date(Date.now() + ttlMs))
      .sign(this.#key);
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

  signRoom(claims: RoomClaims, expiresAt: Date): Promise<string> {
    return new SignJWT({ org: claims.orgId, itv: claims.interviewId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(ROOM_AUDIENCE)
      .setSubject(claims.hostId)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.#key);
  }

  async verifyRoom(token: string): Promise<VerifiedRoomToken> {
    const payload = await this.#verify(token, ROOM_AUDIENCE, 'This room link');
    return {
      hostId: String(payload.sub),
      orgId: String(payload.org),
      interviewId: String(payload.itv),
      tokenId: String(payload.jti),
      expiresAt: Number(payload.exp) * 1000,
    };
  }

  async verifyHost(token: string): Promise<VerifiedHostToken> {
    const payload = await this.#verify(token, HOST_AUDIENCE, 'Your login');
    return { hostId: String(payload.sub), orgId: String(payload.org), expiresAt: Number(payload.exp) * 1000 };
  }

  async verifyJoin(token: string): Promise<JoinClaims> {
    const payload = await this.#verify(token, JOIN_AUDIENCE, 'This interview link');
    return { candidateId: String(payload.sub), interviewId: String(payload.itv) };
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
  static peekAudience(token: string): Audience | undefined {
    const [, body] = token.split('.');
    if (!body) return undefined;
    try {
      const { aud } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { aud?: unknown };
      return aud === HOST_AUDIENCE || aud === JOIN_AUDIENCE ? aud : undefined;
    } catch {
      return undefined;
    }
  }

  async #verify(token: string, audience: Audience, what: string) {
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, audience, algorithms: ['HS256'] });
      return payload;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new UnauthenticatedError(`${what} has expired`);
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
        throw new UnauthenticatedError(`${what} is not valid yet`);
      }
      throw new UnauthenticatedError(`${what} is not valid`);
    }
  }
}
