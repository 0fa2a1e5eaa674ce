// Interviews and their lifecycle: SCHEDULED → LIVE → COMPLETED → ARCHIVED. Every read and write
// is scoped to the caller's org; another org's interview is simply "not found".
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type OrgActor } from '../auth/actor.ts';
import { SCREEN_SHARE_POLICIES } from '../../contract/interview.ts';
import { AUDIO_POLICIES, Candidate, Interview, InterviewStatus, INTERVIEW_STATUSES, type InterviewConfig } from '../db/entities.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { decodeCursor, pageSize, toPage, type Page, type PageArgs } from '../pagination.ts';
import * as validate from '../validate.ts';
import type { Channel } from '../live/channel.ts';
import type { InterviewEvent } from '../live/events.ts';
import { audit } from './audit.ts';
import { InterviewStore, type InterviewRow } from './interview-store.ts';

export type { InterviewRow } from './interview-store.ts';

/** Bounds of what a host may set on an interview (and an org, for retention). */
export const INTERVIEW_LIMITS = {
  titleLength: 200,
  lookAwayDegrees: { min: 5, max: 90 },
  retentionDays: { min: 1, max: 3650 },
} as const;

export const DEFAULT_INTERVIEW_CONFIG: InterviewConfig = Object.freeze({
  strictMode: false,
  requireFullscreen: false,
  allowCopyPaste: false,
  audioPolicy: 'FLAG',
  lookAwayDegrees: 35,
  retentionDays: 90,
  screenShare: 'OFF',
});

/** Config as clients send it: any field may be left out (or null) for its default. */
export type InterviewConfigPatch = { [K in keyof InterviewConfig]?: InterviewConfig[K] | null | undefined };

export interface CreateInterviewInput {
  title: string;
  scheduledAt?: Date | null | undefined;
  config?: InterviewConfigPatch | null | undefined;
}

/** What a host may change before the interview starts; anything left out (or null) stays as it is. */
export interface UpdateInterviewInput {
  title?: string | null | undefined;
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

/** `input` over `base` (the defaults, or the interview's config when updating it), checked. */
export function validateInterviewConfig(input: InterviewConfigPatch | null | undefined, base: InterviewConfig = DEFAULT_INTERVIEW_CONFIG): InterviewConfig {
  const config = { ...base, ...stripNullish(input ?? {}) };
  for (const flag of ['strictMode', 'requireFullscreen', 'allowCopyPaste'] as const) {
    if (typeof config[flag] !== 'boolean') throw new ValidationError(`config.${flag}`, 'must be true or false');
  }
  return {
    strictMode: config.strictMode,
    requireFullscreen: config.requireFullscreen,
    allowCopyPaste: config.allowCopyPaste,
    audioPolicy: validate.oneOf('config.audioPolicy', config.audioPolicy, AUDIO_POLICIES),
    lookAwayDegrees: validate.integerInRange('config.lookAwayDegrees', config.lookAwayDegrees, INTERVIEW_LIMITS.lookAwayDegrees.min, INTERVIEW_LIMITS.lookAwayDegrees.max),
    retentionDays: validate.integerInRange('config.retentionDays', config.retentionDays, INTERVIEW_LIMITS.retentionDays.min, INTERVIEW_LIMITS.retentionDays.max),
    screenShare: validate.oneOf('config.screenShare', config.screenShare, SCREEN_SHARE_POLICIES),
  };
}

function stripNullish(object: object): object {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null && v !== undefined));
}

/**
 * Records, in the transaction that ends an interview, the work the end owes (its reports), so
 * that work commits with the end or not at all; returns what to do once committed.
 */
export type EndRecorder = (tx: EntityManager, orgId: string, interviewId: string) => Promise<() => Promise<void>>;

export class InterviewService {
  readonly #orm: MikroORM;
  readonly #store: InterviewStore;
  readonly #events: Channel<InterviewEvent>;
  readonly #recordEnd: EndRecorder;

  /**
   * Every committed move is published on `events` (InterviewStatusChanged): subscribers and the
   * subsystems that react to moves (the SFU, revocations) all learn of it there.
   */
  constructor(orm: MikroORM, readsFromReplica: boolean, events: Channel<InterviewEvent>, recordEnd: EndRecorder) {
    this.#orm = orm;
    this.#store = new InterviewStore(orm, readsFromReplica);
    this.#events = events;
    this.#recordEnd = recordEnd;
  }

  async create(actor: OrgActor, input: CreateInterviewInput): Promise<Interview> {
    const title = validate.text('title', input.title, { max: INTERVIEW_LIMITS.titleLength });
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

  /**
   * Changes a SCHEDULED interview's title, time or rules (given fields only; the rules merged over
   * its own). Once it has started the candidates have consented to its rules and the evidence is
   * judged by them, so a started interview is a CONFLICT. Audited with what changed, before → after.
   */
  async update(actor: OrgActor, id: string, input: UpdateInterviewInput): Promise<Interview> {
    const current = await this.get(actor, id);
    const changes: { title?: string; scheduledAt?: Date; config?: InterviewConfig } = {};
    if (input.title !== null && input.title !== undefined) changes.title = validate.text('title', input.title, { max: INTERVIEW_LIMITS.titleLength });
    if (input.scheduledAt !== null && input.scheduledAt !== undefined) {
      if (Number.isNaN(input.scheduledAt.getTime())) throw new ValidationError('scheduledAt', 'is not a valid date');
      changes.scheduledAt = input.scheduledAt;
    }
    if (input.config) changes.config = validateInterviewConfig(input.config, current.config);
    const started = (status: InterviewStatus) => new ConflictError(`Cannot change an interview that is ${status}: only a SCHEDULED one`, { status, reason: 'INTERVIEW_STARTED' });
    if (current.status !== InterviewStatus.SCHEDULED) throw started(current.status);
    if (Object.keys(changes).length === 0) return current;
    const updated = await this.#orm.em.fork().transactional(async (tx) => {
      // The status is checked in the UPDATE itself: a racing startInterview comes either before it (CONFLICT) or after.
      if ((await tx.nativeUpdate(Interview, { id, org: actor.orgId, status: InterviewStatus.SCHEDULED }, changes)) === 0) return false;
      const before = Object.fromEntries(Object.keys(changes).map((field) => [field, current[field as keyof typeof changes]]));
      audit(tx, actor, 'interview.update', { type: 'Interview', id }, { before, after: changes });
      return true;
    });
    if (!updated) throw started((await this.get(actor, id)).status);
    return this.get(actor, id);
  }

  /** The dashboard list: served by the read replica when one is configured, as plain rows (see InterviewStore). */
  async list(actor: OrgActor, args: ListInterviewsArgs): Promise<Page<InterviewRow>> {
    if (actor.kind === 'room' || actor.kind === 'review') throw new ForbiddenError(`A ${actor.kind} login sees only its own interview`);
    const first = pageSize(args);
    const status = args.status ? validate.oneOf('status', args.status, INTERVIEW_STATUSES) : undefined;
    const rows = await this.#store.page({ orgId: actor.orgId, status, after: decodeCursor(args.after), limit: first + 1 });
    return toPage(rows, first);
  }

  /** One interview of the actor's org (a room or review login: only its own). */
  async get(actor: OrgActor, id: string): Promise<Interview> {
    const visible = validate.isUuid(id) && reachesInterview(actor, id);
    const interview = visible ? await this.#orm.em.fork().findOne(Interview, { id, org: actor.orgId }) : null;
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
    const committed = await em.transactional(async (tx) => {
      const updated = await tx.nativeUpdate(Interview, { id, org: actor.orgId, status: from }, { status: to, [stamp]: now });
      if (updated === 0) return undefined;
      if (to === InterviewStatus.COMPLETED || to === InterviewStatus.ARCHIVED) {
        await tx.nativeUpdate(Candidate, { interview: id, tokenRevokedAt: null }, { tokenRevokedAt: now });
      }
      audit(tx, actor, `interview.${move}`, { type: 'Interview', id }, { from, to });
      return { afterCommit: move === 'end' ? await this.#recordEnd(tx, actor.orgId, id) : undefined };
    });
    if (!committed) {
      const status = (await this.get(actor, id)).status;
      throw new ConflictError(`Cannot ${move} an interview that is ${status} (it must be ${from})`, { status, expected: from });
    }
    this.#events.publish(id, { kind: 'InterviewStatusChanged', interviewId: id, status: to, at: now });
    await committed.afterCommit?.();
    return this.get(actor, id);
  }

  /** The status alone, without an actor (for server-side subsystems that already checked access). */
  async statusOf(id: string): Promise<InterviewStatus | undefined> {
    if (!validate.isUuid(id)) return undefined;
    return this.#store.statusOf(id);
  }

  async #ownerOf(orgId: string): Promise<string> {
    const hostId = await this.#store.firstHostOf(orgId);
    if (!hostId) throw new NotFoundError('Host of organisation', orgId);
    return hostId;
  }
}
