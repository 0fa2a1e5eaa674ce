// Hosts' login state, in SQL: whether a signed login is still current, and voiding every login of
// a host at once. Both are single statements: the check runs on every authenticated request, and
// the version bump must be atomic against a concurrent one.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { InterviewStatus } from '../db/entities.ts';

/** What decides whether a signed login still holds. */
export interface LoginState {
  tokenVersion: number;
  /** The token itself was voided (logged out). */
  revoked: boolean;
  /** The room login's interview status; null without one, or when it is not the host's org's. */
  interviewStatus: InterviewStatus | null;
}

export class LoginStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  /** Undefined when the host is gone or not of `orgId`. */
  async loginState(login: { hostId: string; orgId: string; tokenDigest: string; interviewId: string | undefined }): Promise<LoginState | undefined> {
    const [row] = await this.#orm.em.getConnection().execute<{ token_version: number; revoked: boolean; status: InterviewStatus | null }[]>(
      `select h.token_version,
              exists (select 1 from revoked_tokens r where r.token_digest = ?) as revoked,
              (select i.status from interviews i where i.id = ? and i.org_id = h.org_id) as status
         from hosts h where h.id = ? and h.org_id = ?`,
      [login.tokenDigest, login.interviewId ?? null, login.hostId, login.orgId],
    );
    return row && { tokenVersion: row.token_version, revoked: row.revoked, interviewStatus: row.status };
  }

  /** Voids every login of the host, setting its new password hash if given. */
  async bumpTokenVersion(hostId: string, passwordHash: string | undefined): Promise<void> {
    await this.#orm.em
      .getConnection()
      .execute('update hosts set token_version = token_version + 1, password_hash = coalesce(?, password_hash) where id = ?', [passwordHash ?? null, hostId]);
  }
}
