// The operator's view of one running `proctor up`: diagnostics and backups, for the
// /operator/* routes. Built by the platform from the core's parts.
import type { ServerDiagnostics } from '../../contract/diagnostics.ts';
import { ConflictError } from '../errors.ts';
import { createBackup, type BackupSources, type BackupStream } from './backup.ts';
import { collectDiagnostics, type DiagnosticsSources } from './diagnostics.ts';

export interface OperationsSources extends DiagnosticsSources {
  /** Undefined on a PostgreSQL server: its backups are pg_dump's job. */
  embedded: BackupSources['embedded'] | undefined;
  logger: BackupSources['logger'];
}

/** What the operator is told to do instead of `proctor backup` on a PostgreSQL server. */
export const SERVER_BACKUP_ADVICE =
  'This server uses PostgreSQL (PROCTOR_DATABASE_URL): back the database up with pg_dump ' +
  '(pg_dump --format=custom --file=proctor.dump "$PROCTOR_DATABASE_URL"), and copy the recordings/ and snapshots/ folders of every proctor up data dir';

export class Operations {
  readonly #sources: OperationsSources;

  constructor(sources: OperationsSources) {
    this.#sources = sources;
  }

  diagnostics(): Promise<ServerDiagnostics> {
    return collectDiagnostics(this.#sources);
  }

  backup(): Promise<BackupStream> {
    const { embedded, config, orm, logger } = this.#sources;
    if (!embedded) throw new ConflictError(SERVER_BACKUP_ADVICE);
    return createBackup({ dataDir: config.dataDir, embedded, orm, logger });
  }
}
