// Host → candidate messages: a host's ping or warning, delivered on the candidate's
// `candidateMessages` channel (relayed to the process holding the candidate's socket) and audited.
// Nothing is stored beyond the audit entry: a message for a page that is not listening is lost,
// and the sender is told so.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type CandidateActor, type OrgActor } from '../auth/actor.ts';
import { Candidate } from '../db/entities.ts';
import { NotFoundError } from '../errors.ts';
import { audit } from '../services/audit.ts';
import * as validate from '../validate.ts';
import type { Channel } from './channel.ts';
import type { CandidateMessage } from './events.ts';

export const MAX_MESSAGE_LENGTH = 500;

export class MessagingService {
  readonly #orm: MikroORM;
  readonly #candidateMessages: Channel<CandidateMessage>;

  constructor(orm: MikroORM, candidateMessages: Channel<CandidateMessage>) {
    this.#orm = orm;
    this.#candidateMessages = candidateMessages;
  }

  /** Sends the candidate a message; `delivered` says whether a page of theirs was listening here. */
  async send(actor: OrgActor, candidateId: string, kind: CandidateMessage['kind'], text: string): Promise<{ message: CandidateMessage; delivered: boolean }> {
    const message = validate.text('message', text, { max: MAX_MESSAGE_LENGTH });
    const em = this.#orm.em.fork();
    const candidate = validate.isUuid(candidateId) ? await em.findOne(Candidate, { id: candidateId, interview: { org: actor.orgId } }) : null;
    if (!candidate || !reachesInterview(actor, candidate.interview.id)) throw new NotFoundError('Candidate', candidateId);
    const sent: CandidateMessage = { id: randomUUID(), candidateId, kind, message, at: new Date() };
    const delivered = this.#candidateMessages.listenerCount(candidateId) > 0;
    this.#candidateMessages.publish(candidateId, sent);
    audit(em, actor, 'candidate.message', { type: 'Candidate', id: candidateId }, { kind, message, delivered });
    await em.flush();
    return { message: sent, delivered };
  }

  /** The candidate's own messages as they are sent; returns the function that stops listening. */
  listen(actor: CandidateActor, listener: (message: CandidateMessage) => void): () => void {
    return this.#candidateMessages.listen(actor.candidateId, listener);
  }
}
