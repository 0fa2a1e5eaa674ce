// Retention: recordings (<dataDir>/recordings/<interviewId>/) and evidence snapshots
// (<dataDir>/snapshots/<interviewId>/) are deleted once older than the retention that applies
// (and with them the interview's speaking segments and transcripts, once it ended that long ago):
// the org's setting, or the interview's own config.retentionDays when that is shorter.
// The retention-sweep job runs this daily.
import { readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import { Interview, Org } from '../db/entities.ts';
import type { Logger } from '../log.ts';
import { audit } from '../services/audit.ts';
import { INTERVIEW_LIMITS } from '../services/interviews.ts';
import { SpeechStore } from '../speech/speech-store.ts';
import * as validate from '../validate.ts';

export const SWEPT_TREES = ['recordings', 'snapshots'] as const;
const DAY_MS = 86_400_000;
const UUID_DIR = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SweepResult {
  deletedFiles: number;
  freedBytes: number;
  /** Speaking-segment, transcript and analysis rows deleted with the recordings they came from. */
  deletedSpeechRows: number;
}

export class RetentionService {
  readonly #orm: MikroORM;
  readonly #dataDir: string;
  readonly #logger: Logger;

  constructor(orm: MikroORM, dataDir: string, logger: Logger) {
    this.#orm = orm;
    this.#dataDir = dataDir;
    this.#logger = logger;
  }

  async setOrgRetention(actor: OrgActor, retentionDays: number): Promise<Org> {
    const days = validate.integerInRange('retentionDays', retentionDays, INTERVIEW_LIMITS.retentionDays.min, INTERVIEW_LIMITS.retentionDays.max);
    const em = this.#orm.em.fork();
    const org = await em.findOneOrFail(Org, { id: actor.orgId });
    const previous = org.retentionDays;
    org.retentionDays = days;
    audit(em, actor, 'org.retention', { type: 'Org', id: org.id }, { from: previous, to: days });
    await em.flush();
    return org;
  }

  async sweep(now = new Date()): Promise<SweepResult> {
    const result: SweepResult = { deletedFiles: 0, freedBytes: 0, deletedSpeechRows: await new SpeechStore(this.#orm).deleteExpired(now) };
    for (const tree of SWEPT_TREES) {
      const root = join(this.#dataDir, tree);
      const dirs = (await readdir(root).catch(() => [] as string[])).filter((name) => UUID_DIR.test(name));
      const retention = await this.#retentionDays(dirs);
      for (const interviewId of dirs) {
        const days = retention.get(interviewId.toLowerCase());
        // Files of an interview this database does not know are not ours to judge.
        if (days === undefined) continue;
        await this.#sweepDir(join(root, interviewId), now.getTime() - days * DAY_MS, result);
      }
    }
    if (result.deletedFiles > 0 || result.deletedSpeechRows > 0) this.#logger.info(result, 'retention sweep deleted expired media');
    return result;
  }

  async #sweepDir(dir: string, cutoffMs: number, result: SweepResult): Promise<void> {
    const names = await readdir(dir).catch(() => [] as string[]);
    let kept = 0;
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (!info) continue;
      if (info.mtimeMs >= cutoffMs) {
        kept++;
        continue;
      }
      await (info.isDirectory() ? rm(path, { recursive: true, force: true }) : unlink(path)).catch(() => kept++);
      result.deletedFiles++;
      result.freedBytes += info.isDirectory() ? 0 : info.size;
    }
    if (kept === 0) await rmdir(dir).catch(() => {});
  }

  async #retentionDays(interviewIds: string[]): Promise<Map<string, number>> {
    const days = new Map<string, number>();
    if (interviewIds.length === 0) return days;
    const interviews = await this.#orm.em.fork().find(Interview, { id: { $in: interviewIds } }, { populate: ['org'] });
    for (const { id, config, org } of interviews) days.set(id, Math.min(org.retentionDays, config.retentionDays ?? org.retentionDays));
    return days;
  }
}
