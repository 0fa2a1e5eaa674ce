// Interviews and their lifecycle: SCHEDULED → LIVE → COMPLETED → ARCHIVED. Every read and write
// is scoped to the caller's org; another org's interview is simply "not found".
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import {
  AUDIO_POLICIES,
  Candidate,
  Interview,
  InterviewStatus,
  INTERVIEW_STATUSES,
  type InterviewConfig,
} from '../db/entities.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { afterCursor, KEYSET_ORDER, pageSize, toPage, type Page, type PageArgs } from '../pagination.ts';
import * as validate from '../validate.ts';
import { audit } from './audit.ts';

export const DEFAULT_INTERVIEW_CONFIG: InterviewConfig = Object.freeze({
  strictMode: false,
  requireFullscreen: false,
  allowCopyPaste: false,
  audioPolicy: 'FLAG',
  lookAwayDegrees: 35,
  retentionDays: 90,
});

/** Config as clients send it: any field may be left out (or null) for its default. */
export type InterviewConfigPatch = { [K in keyof InterviewConfig]?: InterviewConfig[K] | null | undefined };

export interface CreateInterviewInput {
  title: string;
  scheduledAt?: Date | null | undefined;
  config?: InterviewConfigPatch | null | undefined;
}

export interface ListInterviewsArgs extends PageArgs {
  status?: InterviewStatus | null | undefined;
}

/** The moves the state machine allows, and what each one stamps. */
const TRANSITIONS = {
  start: { from: InterviewStatus.SCHEDULED, to: InterviewStatus.LIVE, stamp: 'startedAt' },
  end: { from: InterviewStatus.LIVE, to: InterviewStatus.COMPLETED, stamp: 'endedAt' },
  archive: { from: InterviewStatus.COMPLETED, to: InterviewStatus.ARCHIVED, stamp: 'archivedAt' },
} as const;
export type Transition = keyof typeof TRANSITIONS;

export function validateInterviewConfig(input: InterviewConfigPatch | null | undefined): InterviewConfig {
  const config = { ...DEFAULT_INTERVIEW_CONFIG, ...stripNullish(input ?? {}) } as InterviewConfig;
  for (const flag of ['strictMode', 'requireFullscreen', 'allowCopyPaste'] as const) {
    if (typeof config[flag] !== 'boolean') throw new ValidationError(`config.${flag}`, 'must be true or false');
  }
  return {
    strictMode: config.strictMode,
    requireFullscreen: config.requireFullscreen,
    allowCopyPaste: config.allowCopyPaste,
    audioPolicy: validate.oneOf('config.audioPolicy', config.audioPolicy, AUDIO_POLICIES),
    lookAwayDegrees: validate.integerInRange('config.lookAwayDegrees', config.lookAwayDegrees, 5, 90),
    retentionDays: validate.integerInRange('config.retentionDays', config.retentionDays, 1, 3650),
  };
}

function stripNullish(object: object): object {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null && v !== undefined));
}

export class InterviewService {
  readonly #orm: MikroORM;
  readonly #readsFromReplica: boolean;

  constructor(orm: MikroORM, readsFromReplica: boolean) {
    this.#orm = orm;
    this.#readsFromReplica = readsFromReplica;
  }

  async create(actor: OrgActor, input: CreateInterviewInput): Promise<Interview> {
    const title = validate.text('title', input.title, { max: 200 });
    if (input.scheduledAt && Number.isNaN(input.scheduledAt.getTime())) throw new ValidationError('scheduledAt', 'is not a valid date');
    const config = validateInterviewConfig(input.config);
    const em = this.#orm.em.fork();
    // An ATS token acts for the org; its interviews belong to the org's first host.
    const hostId = actor.kind === 'host' ? actor.hostId : await this.#ownerOf(actor.orgId);
    const interview = em.create(Interview, { org: actor.orgId, host: hostId, title, scheduledAt: input.scheduledAt ?? null, config });
    audit(em, actor, 'interview.create', { type: 'Interview', id: interview.id });
    await em.flush();
    return interview;
  }

  /** The dashboard list: served by the read replica when one is configured. */
  async list(actor: OrgActor, args: ListInterviewsArgs): Promise<Page<Interview>> {
    const first = pageSize(args);
    const status = args.status ? validate.oneOf('status', args.status, INTERVIEW_STATUSES) : undefined;
    const rows = await this.#orm.em.fork().find(
      Interview,
      { org: actor.orgId, ...(status ? { status } : {}), ...afterCursor(args.after) },
      { orderBy: KEYSET_ORDER, limit: first + 1, connectionType: this.#readsFromReplica ? 'read' : 'write' },
    );
    return toPage(rows, first);
  }

  async get(actor: OrgActor, id: string): Promise<Interview> {
    const interview = validate.isUuid(id) ? await this.#orm.em.fork().findOne(Interview, { id, org: actor.orgId }) : null;
    if (!interview) throw new NotFoundError('Interview', id);
    return interview;
  }

  /**
   * Moves an interview along the state machine. The status check and the update are one
   * conditional UPDATE, so two racing callers cannot both win. Ending or archiving revokes
   * every join link of the interview.
   */
  async transition(actor: OrgActor, id: string, move: Transition): Promise<Interview> {
    const { from, to, stamp } = TRANSITIONS[move];
    await this.get(actor, id);
    const now = new Date();
    const em = this.#orm.em.fork();
    const changed = await em.transactional(async (tx) => {
      const updated = await tx.nativeUpdate(Interview, { id, org: actor.orgId, status: from }, { status: to, [stamp]: now });
      if (updated === 0) return false;
      if (to === InterviewStatus.COMPLETED || to === InterviewStatus.ARCHIVED) {
        await tx.nativeUpdate(Candidate, { interview: id, tokenRevokedAt: null }, { tokenRevokedAt: now });
      }
      audit(tx, actor, `interview.${move}`, { type: 'Interview', id }, { from, to });
      return true;
    });
    if (!changed) {
      const status = (await this.get(actor, id)).status;
      throw new ConflictError(`Cannot ${move} an interview that is ${status} (it must be ${from})`, { status, expected: from });
    }
    return this.get(actor, id);
  }

  async #ownerOf(orgId: string): Promise<string> {
    const [row] = await this.#orm.em.fork().getConnection().execute<{ id: string }[]>(
      'select id from hosts where org_id = ? order by created_at limit 1',
      [orgId],
    );
    if (!row) throw new NotFoundError('Host of organisation', orgId);
    return row.id;
  }
}
