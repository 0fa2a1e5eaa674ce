import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Flags } from '@oclif/core';
import { BACKUP_DATABASE_ENTRY, BACKUP_PATH, BACKUP_SIZE_HEADER } from '../../contract/diagnostics.ts';
import { readBackup } from '../backup-archive.ts';
import { ApiCommand, ExitCode } from '../base-command.ts';
import { operatorFlags, operatorKey, operatorRequest, OperatorRequestError } from '../operator.ts';
import { ByteProgress } from '../byte-progress.ts';

export interface BackupResult {
  file: string;
  bytes: number;
  createdAt: string;
  entries: number;
  databaseBytes: number;
  migrations: string[];
}

export default class Backup extends ApiCommand<typeof Backup> {
  static override summary = 'Write a backup of a running server on the embedded database: the database, recordings, snapshots and the JWT key';
  static override description =
    'The server copies its embedded database consistently while it runs (connections wait the second or two it takes), ' +
    'then streams it with the recordings and snapshots folders and a manifest of checksums. The archive is checked before it gets its name: ' +
    'an interrupted backup leaves only FILE.partial. Progress goes to stderr. Restore with `proctor restore FILE --data-dir DIR`.\n\n' +
    'On a PostgreSQL server (PROCTOR_DATABASE_URL) this refuses and says what to do instead: pg_dump, and copy the folders.\n\n' +
    "The archive holds every org's data and the JWT signing key: keep it as safe as the data dir.\n\n" +
    'Exit codes: 0 written, 1 failed, 3 operator key refused, 5 the server uses PostgreSQL (use pg_dump), 7 server unreachable.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --out /var/backups/proctor-$(date +%F).tar',
    { description: 'From another machine', command: '<%= config.bin %> <%= command.id %> --server https://proctor.example.com --operator-key "$KEY" --out backup.tar' },
  ];
  static override flags = {
    ...operatorFlags,
    out: Flags.string({ required: true, description: 'the archive to write (a tar)' }),
  };

  async run(): Promise<BackupResult> {
    const file = resolve(this.flags.out);
    const partial = `${file}.partial`;
    const key = await operatorKey(this.flags);
    if (!('key' in key)) this.error(key.problem, { exit: ExitCode.denied });
    let response: Response;
    try {
      response = await operatorRequest(this.server, BACKUP_PATH, key.key);
    } catch (error) {
      if (error instanceof OperatorRequestError)
        this.error(error.message, { exit: error.status === 409 ? ExitCode.rejected : error.status === 401 ? ExitCode.denied : ExitCode.failure });
      this.error(`Cannot reach ${this.server}: ${(error as Error).message}`, { exit: ExitCode.unreachable });
    }
    const progress = new ByteProgress('backup', Number(response.headers.get(BACKUP_SIZE_HEADER)) || undefined);
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        progress.add(chunk.length);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(response.body!, counter, createWriteStream(partial, { mode: 0o600 }));
      progress.done();
      const manifest = await readBackup(partial);
      await rename(partial, file);
      const bytes = (await stat(file)).size;
      const result: BackupResult = {
        file,
        bytes,
        createdAt: manifest.createdAt,
        entries: manifest.entries.length,
        databaseBytes: manifest.entries.find((entry) => entry.path === BACKUP_DATABASE_ENTRY)?.bytes ?? 0,
        migrations: manifest.migrations,
      };
      this.log(`Backup written to ${file}: ${megabytes(bytes)} (database ${megabytes(result.databaseBytes)}, ${result.entries - 1} other files), checked against its manifest`);
      return result;
    } catch (error) {
      progress.done();
      await rm(partial, { force: true });
      this.error(`The backup failed: ${(error as Error).message}`, { exit: ExitCode.failure });
    }
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
