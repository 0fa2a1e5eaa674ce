// The interview reads that skip the entity layer: the dashboard list (the hottest read of the
// API, where hydration and the identity map cost more CPU than the rest of the request) and the
// single-column lookups server-side subsystems make. Rows come out typed; timestamps as Dates.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Interview, InterviewConfig, InterviewStatus, ReviewStatus } from '../db/entities.ts';
import { parseTimestamp } from '../db/timestamps.ts';
import type { Keyed } from '../pagination.ts';

/** An interview as lists carry it: the entity's fields, with the host by reference. */
export type InterviewRow = Pick<Interview, 'id' | 'title' | 'status' | 'scheduledAt' | 'config' | 'createdAt' | 'startedAt' | 'endedAt' | 'archivedAt' | 'reviewStatus'> & {
  host: { id: string };
};

export interface InterviewPageQuery {
  orgId: string;
  status: InterviewStatus | undefined;
  after: Keyed | undefined;
  limit: number;
}

const INTERVIEW_COLUMNS = 'id, title, status, scheduled_at, config, created_at, started_at, ended_at, archived_at, review_status, host_id';

interface RawInterview {
  id: string;
  title: string;
  status: InterviewStatus;
  scheduled_at: string | null;
  config: InterviewConfig;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  archived_at: string | null;
  review_status: ReviewStatus;
  host_id: string;
}

function toInterviewRow(raw: RawInterview): InterviewRow {
  return {
    id: raw.id,
    title: raw.title,
    status: raw.status,
    scheduledAt: parseTimestamp(raw.scheduled_at),
    config: raw.config,
    createdAt: parseTimestamp(raw.created_at),
    startedAt: parseTimestamp(raw.started_at),
    endedAt: parseTimestamp(raw.ended_at),
    archivedAt: parseTimestamp(raw.archived_at),
    reviewStatus: raw.review_status,
    host: { id: raw.host_id },
  };
}

export class InterviewStore {
  readonly #orm: MikroORM;
  readonly #readsFromReplica: boolean;

  /** `readsFromReplica`: the list is served by the read replica (one is configured). */
  constructor(orm: MikroORM, readsFromReplica: boolean) {
    this.#orm = orm;
    this.#readsFromReplica = readsFromReplica;
  }

  /** One keyset-indexed page of an org's interviews, oldest first. */
  async page(query: InterviewPageQuery): Promise<InterviewRow[]> {
    const params: unknown[] = [query.orgId];
    let sql = `select ${INTERVIEW_COLUMNS} from interviews where org_id = ?`;
    if (query.status) {
      sql += ' and status = ?';
      params.push(query.status);
    }
    if (query.after) {
      sql += ' and (created_at, id) > (?, ?)';
      params.push(query.after.createdAt, query.after.id);
    }
    sql += ' order by created_at, id limit ?';
    params.push(query.limit);
    const rows = await this.#orm.em.getConnection(this.#readsFromReplica ? 'read' : 'write').execute<RawInterview[]>(sql, params);
    return rows.map(toInterviewRow);
  }

  async statusOf(interviewId: string): Promise<InterviewStatus | undefined> {
    const [row] = await this.#orm.em.getConnection().execute<{ status: InterviewStatus }[]>('select status from interviews where id = ?', [interviewId]);
    return row?.status;
  }

  /** The org's first host (by sign-up). */
  async firstHostOf(orgId: string): Promise<string | undefined> {
    const [row] = await this.#orm.em.getConnection().execute<{ id: string }[]>('select id from hosts where org_id = ? order by created_at limit 1', [orgId]);
    return row?.id;
  }
}
