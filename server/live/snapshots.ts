// Evidence snapshots: a downscaled JPEG of the frame a face violation was seen on,
// uploaded by the candidate's page once the event is acknowledged, stored under
// <dataDir>/snapshots/<interviewId>/<uuid>.jpg with a `snapshots` row (violation, event, size),
// and linked to the violation: its first snapshot becomes the violation's `snapshotUrl`.
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { CandidateActor, OrgActor } from '../auth/actor.ts';
import { InterviewStatus, Snapshot } from '../db/entities.ts';
import { InterviewEndedError, LimitExceededError, NotFoundError, ValidationError } from '../errors.ts';
import * as validate from '../validate.ts';
import { snapshotImageProblem } from './snapshot-image.ts';

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
  readonly #orm: MikroORM;
  readonly #dir: string;
  readonly #limitBytes: number;
  readonly #perSession: SessionSnapshotQuota;
  readonly #publicUrl: () => string;

  constructor(orm: MikroORM, options: { dataDir: string; limitBytes: number; perSession: SessionSnapshotQuota; publicUrl: () => string }) {
    this.#orm = orm;
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
    const connection = this.#orm.em.getConnection();
    const [event] = await connection.execute<{ id: string; violation_id: string | null; interview_id: string; type: string; status: InterviewStatus }[]>(
      `select e.id, e.violation_id, s.interview_id, e.type, i.status from events e join sessions s on s.id = e.session_id
        join interviews i on i.id = s.interview_id where e.session_id = ? and e.seq = ? and s.candidate_id = ?`,
      [sessionId, seq, actor.candidateId],
    );
    if (!event?.violation_id) throw new NotFoundError(`Event ${seq} of session`, sessionId);
    if (event.status === InterviewStatus.COMPLETED || event.status === InterviewStatus.ARCHIVED) throw new InterviewEndedError(event.interview_id);
    if (!FACE_VIOLATIONS.includes(event.type)) throw new ValidationError('seq', `event ${seq} is ${event.type}: snapshots are for face violations`);
    const id = randomUUID();
    const name = `${id}.jpg`;
    const folder = join(this.#dir, event.interview_id);
    const url = `${this.#publicUrl()}/api/snapshots/${event.interview_id}/${name}`;
    const violationId = event.violation_id;
    await mkdir(folder, { recursive: true });
    // The file first: a row never points at a missing file (an orphan file is swept by retention).
    const path = join(folder, name);
    await writeFile(path, jpeg);
    // The quota is checked in the transaction that inserts, not before the write: the embedded
    // database is blocked for everyone while a transaction is open.
    await this.#orm.em
      .fork()
      .transactional(async (em) => {
        await this.#checkSessionQuota(em, sessionId, jpeg.length);
        em.create(Snapshot, { id, violation: violationId, interview: event.interview_id, event: event.id, bytes: jpeg.length });
      })
      .catch(async (error: unknown) => {
        await rm(path, { force: true });
        throw error;
      });
    const updated = await connection.execute<{ id: string }[]>('update violations set snapshot_url = ? where id = ? and snapshot_url is null returning id', [url, violationId]);
    return { violationId, url, linked: updated.length > 0 };
  }

  /**
   * Refuses a snapshot past the session's count or byte cap. The session row stays locked until
   * the transaction ends, so concurrent uploads of one session are counted one after another.
   */
  async #checkSessionQuota(em: EntityManager, sessionId: string, bytes: number): Promise<void> {
    await em.execute('select id from sessions where id = ? for update', [sessionId]);
    const [used] = await em.execute<{ count: string | number; bytes: string | number }[]>(
      'select count(*) as count, coalesce(sum(s.bytes), 0) as bytes from snapshots s join events e on e.id = s.event_id where e.session_id = ?',
      [sessionId],
    );
    const { count, bytes: limitBytes } = this.#perSession;
    if (Number(used?.count ?? 0) >= count) throw new LimitExceededError(`A session may store at most ${count} snapshots`, count);
    if (Number(used?.bytes ?? 0) + bytes > limitBytes) {
      throw new LimitExceededError(`A session may store at most ${Math.round(limitBytes / 1024)} KB of snapshots`, limitBytes);
    }
  }

  /** Where the file behind a snapshot URL would be, for a host of the interview's org (the caller sends it, or NOT_FOUND). */
  async file(actor: OrgActor, interviewId: string, name: string): Promise<string> {
    if (!validate.isUuid(interviewId) || !FILE_NAME.test(name)) throw new NotFoundError('Snapshot');
    const [owned] = await this.#orm.em.getConnection().execute<{ id: string }[]>('select id from interviews where id = ? and org_id = ?', [interviewId, actor.orgId]);
    if (!owned) throw new NotFoundError('Snapshot');
    return join(this.#dir, interviewId, name);
  }
}
