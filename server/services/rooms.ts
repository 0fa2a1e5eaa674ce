// Host room links (`proctor room <interview>`): a short-lived signed token that opens the room
// page of one interview. The page exchanges it, once, for a room login: a credential for that
// interview's room only (watch, ping, media), which ends with the interview or after
// PROCTOR_ROOM_SESSION_TTL, whichever is first — never a host login for the whole org. The link is
// worthless after the exchange or after a few minutes (it may sit in a terminal's scrollback).
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import { ROOM_AUDIENCE, ROOM_SESSION_AUDIENCE, type TokenSigner } from '../auth/jwt.ts';
import { digestToken } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import { Host, Interview, InterviewStatus } from '../db/entities.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { audit } from './audit.ts';
import type { InterviewService } from './interviews.ts';
import { voidToken } from './revoked-tokens.ts';

export interface RoomLink {
  url: string;
  expiresAt: Date;
}

export interface RoomEntry {
  token: string;
  interviewId: string;
  expiresAt: Date;
}

export class RoomService {
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

  async createLink(actor: OrgActor, interviewId: string): Promise<RoomLink> {
    if (actor.kind !== 'host') throw new ForbiddenError("Room links open a host's room: use a host login, not an API token or a room login");
    const interview = await this.#interviews.get(actor, interviewId);
    const host = await this.#orm.em.fork().findOneOrFail(Host, actor.hostId);
    const expiresAt = new Date(Date.now() + this.#config.roomLinkTtlMs);
    const claims = { hostId: actor.hostId, orgId: actor.orgId, interviewId: interview.id, version: host.tokenVersion };
    const token = await this.#signer.signRoom(ROOM_AUDIENCE, claims, expiresAt);
    return { url: `${this.#publicUrl()}/h/${interview.id}#${token}`, expiresAt };
  }

  /** Exchanges a room link's token for a room login (audited); each link works once, on any server process. */
  async enter(token: string): Promise<RoomEntry> {
    const claims = await this.#signer.verifyRoom(ROOM_AUDIENCE, token);
    const em = this.#orm.em.fork();
    const host = await em.findOne(Host, { id: claims.hostId, org: claims.orgId });
    if (!host || host.tokenVersion !== claims.version) throw new UnauthenticatedError('This room link is no longer valid');
    const interview = await em.findOne(Interview, { id: claims.interviewId, org: claims.orgId });
    if (interview?.status !== InterviewStatus.SCHEDULED && interview?.status !== InterviewStatus.LIVE) {
      throw new UnauthenticatedError('This interview is over: its room is closed');
    }
    if (!(await voidToken(em, digestToken(token), new Date(claims.expiresAt)))) {
      throw new UnauthenticatedError('This room link has been used already: run `proctor room` for a new one');
    }
    const actor = { kind: 'room' as const, hostId: claims.hostId, orgId: claims.orgId, interviewId: claims.interviewId };
    audit(em, actor, 'host.enterRoom', { type: 'Interview', id: claims.interviewId });
    await em.flush();
    const expiresAt = new Date(Date.now() + this.#config.roomSessionTtlMs);
    const session = await this.#signer.signRoom(ROOM_SESSION_AUDIENCE, claims, expiresAt);
    return { token: session, interviewId: claims.interviewId, expiresAt };
  }
}
