// The rows durable media jobs work through (composite_recordings, transcriptions): PENDING when
// recorded, RUNNING with a progress while a run owns it (the claim counts the attempt), then
// settled by its service. The tables share these columns, so the pending-work sweep's query, the
// claim and the progress update are written once. Each is a single conditional statement: two
// processes never both think they own a run, and a settled row is never claimed again.
import type { MikroORM } from '@mikro-orm/postgresql';

export type JobRowTable = 'composite_recordings' | 'transcriptions';

export class JobRows {
  readonly #orm: MikroORM;
  readonly #table: JobRowTable;

  constructor(orm: MikroORM, table: JobRowTable) {
    this.#orm = orm;
    this.#table = table;
  }

  /** Rows not yet settled that were recorded more than `olderThanMs` ago. */
  async unfinishedOlderThan(olderThanMs: number): Promise<string[]> {
    const rows = await this.#connection().execute<{ id: string }[]>(
      `select id from ${this.#table} where status in ('PENDING', 'RUNNING') and created_at < now() - make_interval(secs => ?)`,
      [olderThanMs / 1000],
    );
    return rows.map((row) => row.id);
  }

  /** Counts a run and marks the row RUNNING; false when it is gone or already settled. */
  async claim(id: string): Promise<boolean> {
    const claimed = await this.#connection().execute<{ id: string }[]>(
      `update ${this.#table} set attempts = attempts + 1, status = 'RUNNING', progress = 0 where id = ? and status in ('PENDING', 'RUNNING') returning id`,
      [id],
    );
    return claimed.length > 0;
  }

  async progress(id: string, fraction: number): Promise<void> {
    await this.#connection().execute(`update ${this.#table} set progress = ? where id = ? and status = 'RUNNING'`, [fraction, id], 'run');
  }

  #connection() {
    return this.#orm.em.getConnection();
  }
}
