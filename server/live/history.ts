// The persisted record of monitoring, for hosts who open an interview late or after the fact:
// a candidate's sessions and each session's violations, oldest first.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import { decodeCursor, pageSize, toPage, type Page, type PageArgs } from '../pagination.ts';
import { HistoryStore, type SessionRecord, type ViolationRecord } from './history-store.ts';

export class HistoryService {
  readonly #store: HistoryStore;

  constructor(orm: MikroORM) {
    this.#store = new HistoryStore(orm);
  }

  /** The candidate's sessions (one per join, resumed ones included once), oldest first. */
  sessionsOf(actor: OrgActor, candidateId: string): Promise<SessionRecord[]> {
    return this.#store.sessionsOf(actor.orgId, candidateId);
  }

  async violationsOf(actor: OrgActor, sessionId: string, args: PageArgs): Promise<Page<ViolationRecord>> {
    const first = pageSize(args);
    const records = await this.#store.violationsOf(actor.orgId, sessionId, decodeCursor(args.after), first + 1);
    return toPage(records, first, (v) => ({ createdAt: v.occurredAt, id: v.id }));
  }
}
