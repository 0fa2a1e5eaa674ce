// Evidence snapshots: a downscaled JPEG of the frame a face violation was seen on,
// uploaded by the candidate's page once the event is acknowledged, stored under
// <dataDir>/snapshots/<interviewId>/<uuid>.jpg with a `snapshots` row (violation, event, size),
// and linked to the violation: its first snapshot becomes the violation's `snapshotUrl`.
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type CandidateActor, type OrgActor } from '../auth/actor.ts';
import { InterviewStatus } from '../db/entities.ts';
import { InterviewEndedError, LimitExceededError, NotFoundError, ValidationError } from '../errors.ts';
import * as validate from '../validate.ts';
import { snapshotImageProblem } from './snapshot-image.ts';
import { SnapshotStore, type SnapshotUsage } from './snapshot-store.ts';

const FILE_NAME = /^[0-9a-f-]{36}\.jpg$/;
/** Only face checks take pictures. */
const FACE_VIOLATIONS = ['FACE_MISSING', 'MULTIPLE_FACES', 'LOOKING_AWAY'];

export interface StoredSnapshot {
  violationId: string;
  url: string;
  /** False when the violation already had a snapshot (this one is stored, not linked). */
  linked: boolean;
}

/** What one candidate session may store in all. */
export interface SessionSnapshotQuota {
  count: number;
  bytes: number;
}

export class SnapshotService {
  readonly #store: SnapshotStore;
  readonly #dir: string;
  readonly #limitBytes: number;
  readonly #perSession: SessionSnapshotQuota;
  readonly #publicUrl: () => string;

  constructor(orm: MikroORM, options: { dataDir: string; limitBytes: number; perSession: SessionSnapshotQuota; publicUrl: () => string }) {
    this.#store = new SnapshotStore(orm);
    this.#dir = join(options.dataDir, 'snapshots');
    this.#limitBytes = options.limitBytes;
    this.#perSession = options.perSession;
    this.#publicUrl = options.publicUrl;
  }

  get limitBytes(): number {
    return this.#limitBytes;
  }

  async store(actor: CandidateActor, sessionId: string, seq: number, jpeg: Uint8Array): Promise<StoredSnapshot> {
    if (!validate.isUuid(sessionId)) throw new NotFoundError('Session', sessionId);
    validate.integerInRange('seq', seq, 0, 2 ** 31 - 1);
    if (jpeg.length > this.#limitBytes) throw new ValidationError('snapshot', `must be at most ${Math.round(this.#limitBytes / 1024)} KB`);
    const problem = snapshotImageProblem(jpeg);
    if (problem) throw new ValidationError('snapshot', problem);
    const event = await this.#store.eventOf(actor.candidateId, sessionId, seq);
    if (!event?.violationId) throw new NotFoundError(`Event ${seq} of session`, sessionId);
    if (event.status === InterviewStatus.COMPLETED || event.status === InterviewStatus.ARCHIVED) throw new InterviewEndedError(event.interviewId);
    if (!FACE_VIOLATIONS.includes(event.type)) throw new ValidationError('seq', `event ${seq} is ${event.type}: snapshots are for face violations`);
    const id = randomUUID();
    const name = `${id}.jpg`;
    const folder = join(this.#dir, event.interviewId);
    const url = `${this.#publicUrl()}/api/snapshots/${event.interviewId}/${name}`;
    const { violationId } = event;
    await mkdir(folder, { recursive: true });
    // The file first: a row never points at a missing file (an orphan file is swept by retention).
    const path = join(folder, name);
    await writeFile(path, jpeg);
    // The quota is checked in the transaction that inserts, not before the write: the embedded
    // database is blocked for everyone while a transaction is open.
    await this.#store
      .addWithin(sessionId, { id, violationId, interviewId: event.interviewId, eventId: event.id, bytes: jpeg.length }, (used) => this.#checkSessionQuota(used, jpeg.length))
      .catch(async (error: unknown) => {
        await rm(path, { force: true });
        throw error;
      });
    const linked = await this.#store.linkFirst(violationId, url);
    return { violationId, url, linked };
  }

  /** Refuses a snapshot past the session's count or byte cap. */
  #checkSessionQuota(used: SnapshotUsage, bytes: number): void {
    const { count, bytes: limitBytes } = this.#perSession;
    if (used.count >= count) throw new LimitExceededError(`A session may store at most ${count} snapshots`, count);
    if (used.bytes + bytes > limitBytes) {
      throw new LimitExceededError(`A session may store at most ${Math.round(limitBytes / 1024)} KB of snapshots`, limitBytes);
    }
  }

  /** Where the file behind a snapshot URL would be, for a host of the interview's org (the caller sends it, or NOT_FOUND). */
  async file(actor: OrgActor, interviewId: string, name: string): Promise<string> {
    if (!validate.isUuid(interviewId) || !FILE_NAME.test(name) || !reachesInterview(actor, interviewId)) throw new NotFoundError('Snapshot');
    if (!(await this.#store.interviewInOrg(interviewId, actor.orgId))) throw new NotFoundError('Snapshot');
    return join(this.#dir, interviewId, name);
  }
}
