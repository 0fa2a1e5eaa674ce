// Host room links (`proctor room <interview>`): a short-lived signed token that logs the host
// into the room page of one interview. The page exchanges it for a normal host login, once: the
// link is worthless after that or after a few minutes (it may sit in a terminal's scrollback).
// Used links are remembered in this process until they expire.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import type { TokenSigner } from '../auth/jwt.ts';
import type { Config } from '../config.ts';
import { Host } from '../db/entities.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { audit } from './audit.ts';
import type { InterviewService } from './interviews.ts';

export interface RoomLink {
  url: string;
  expiresAt: Date;
}

export interface RoomEntry {
  token: string;
  interviewId: string;
}

export class RoomService {
  readonly #orm: MikroORM;
  readonly #signer: TokenSigner;
  readonly #config: Config;
  readonly #interviews: InterviewService;
  readonly #publicUrl: () => string;
  /** Token ids already exchanged, with their expiry. */
  readonly #used = new Map<string, number>();

  constructor(orm: MikroORM, signer: TokenSigner, config: Config, interviews: InterviewService, publicUrl: () => string) {
    this.#orm = orm;
    this.#signer = signer;
    this.#config = config;
    this.#interviews = interviews;
    this.#publicUrl = publicUrl;
  }

  async createLink(actor: OrgActor, interviewId: string): Promise<RoomLink> {
    if (actor.kind !== 'host') throw new ForbiddenError('Room links log a host in: use a host login, not an API token');
    const interview = await this.#interviews.get(actor, interviewId);
    const expiresAt = new Date(Date.now() + this.#config.roomLinkTtlMs);
    const token = await this.#signer.signRoom({ hostId: actor.hostId, orgId: actor.orgId, interviewId: interview.id }, expiresAt);
    return { url: `${this.#publicUrl()}/h/${interview.id}#${token}`, expiresAt };
  }

  /** Exchanges a room link's token for a host login (audited). */
  async enter(token: string): Promise<RoomEntry> {
    const claims = await this.#signer.verifyRoom(token);
    const now = Date.now();
    for (const [id, expiresAt] of this.#used) if (expiresAt <= now) this.#used.delete(id);
    if (this.#used.has(claims.tokenId)) throw new UnauthenticatedError('This room link has been used already: run `proctor room` for a new one');
    this.#used.set(claims.tokenId, claims.expiresAt);
    const em = this.#orm.em.fork();
    const host = await em.findOne(Host, { id: claims.hostId, org: claims.orgId });
    if (!host) throw new UnauthenticatedError('This room link is no longer valid');
    const actor = { kind: 'host' as const, hostId: claims.hostId, orgId: claims.orgId };
    audit(em, actor, 'host.enterRoom', { type: 'Interview', id: claims.interviewId });
    await em.flush();
    return { token: await this.#signer.signHost({ hostId: claims.hostId, orgId: claims.orgId }, this.#config.hostTokenTtlMs), interviewId: claims.interviewId };
  }
}
