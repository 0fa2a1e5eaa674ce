import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { Args, Command, Flags } from '@oclif/core';
import { BACKUP_DATABASE_ENTRY, BACKUP_PATHS } from '../../contract/diagnostics.ts';
import { BackupArchiveError, readBackup } from '../backup-archive.ts';
import { ExitCode } from '../base-command.ts';

/** The embedded database's folder in the data dir (what `proctor up` opens). */
const DATABASE_DIR = 'pgdata';

export interface RestoreResult {
  dataDir: string;
  createdAt: string;
  files: number;
  migrations: number;
}

export default class Restore extends Command {
  static override summary = 'Restore a `proctor backup` archive into a data dir';
  static override description =
    'Checks the whole archive against its manifest first (an incomplete or damaged archive is refused, nothing written), ' +
    'then writes the embedded database, the recordings, the snapshots and the JWT key into DIR, and opens the database once to check it. ' +
    'Start the server on it with `proctor up --data-dir DIR` (a newer server applies its newer migrations then).\n\n' +
    'Refuses a data dir that is not empty unless --force, which replaces the database, recordings, snapshots and JWT key there.\n\n' +
    'Exit codes: 0 restored, 1 failed, 5 refused (the dir is not empty, or the archive is not a whole Proctor backup).';
  static override examples = ['<%= config.bin %> <%= command.id %> proctor-2026-12-02.tar --data-dir /var/lib/proctor'];
  static override enableJsonFlag = true;
  static override args = { file: Args.string({ required: true, description: 'the archive `proctor backup` wrote' }) };
  static override flags = {
    'data-dir': Flags.string({ required: true, description: 'the data dir to restore into (created when missing)' }),
    force: Flags.boolean({ default: false, description: 'restore into a data dir that is not empty, replacing what the backup holds' }),
  };

  async run(): Promise<RestoreResult> {
    const { args, flags } = await this.parse(Restore);
    const dataDir = resolve(flags['data-dir']);
    const present = await readdir(dataDir).catch(() => []);
    if (present.length > 0 && !flags.force)
      this.error(`${dataDir} is not empty: restore into a new dir, or pass --force to replace its database, recordings and snapshots`, { exit: ExitCode.rejected });
    try {
      process.stderr.write('restore: checking the archive…\n');
      const manifest = await readBackup(args.file);
      if (flags.force) for (const path of [DATABASE_DIR, ...BACKUP_PATHS]) await rm(join(dataDir, path), { recursive: true, force: true });
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      let files = 0;
      await readBackup(args.file, async (path, _size, chunks) => {
        if (path === BACKUP_DATABASE_ENTRY) {
          process.stderr.write('restore: writing the database…\n');
          const parts: Buffer[] = [];
          for await (const chunk of chunks) parts.push(chunk);
          await openDatabase(join(dataDir, DATABASE_DIR), Buffer.concat(parts), manifest.migrations.length);
          return;
        }
        const target = join(dataDir, path);
        await mkdir(dirname(target), { recursive: true, mode: 0o700 });
        await pipeline(Readable.from(chunks), createWriteStream(target, { mode: 0o600 }));
        files++;
      });
      this.log(
        `Restored the backup of ${manifest.createdAt} into ${dataDir}: the database (${manifest.migrations.length} migrations) and ${files} files. Start it with: proctor up --data-dir ${dataDir}`,
      );
      return { dataDir, createdAt: manifest.createdAt, files, migrations: manifest.migrations.length };
    } catch (error) {
      this.error(error instanceof BackupArchiveError ? `Not restored: ${error.message}` : `The restore failed: ${(error as Error).message}`, {
        exit: error instanceof BackupArchiveError ? ExitCode.rejected : ExitCode.failure,
      });
    }
  }
}

/** Writes the database copy into `dir` and opens it once: it must start, with the migrations the manifest names. */
async function openDatabase(dir: string, tar: Buffer, migrations: number): Promise<void> {
  const db = await PGlite.create({ dataDir: dir, loadDataDir: new Blob([new Uint8Array(tar)]) });
  try {
    const { rows } = await db.query<{ count: number }>('select count(*)::int as count from mikro_orm_migrations');
    if (rows[0]?.count !== migrations) throw new Error(`the restored database has ${rows[0]?.count} migrations, the manifest ${migrations}`);
  } finally {
    await db.close();
  }
}
