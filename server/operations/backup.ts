// A backup of the embedded default while it runs: one tar with a consistent copy of the database
// (taken between two connections' turns after a checkpoint, see EmbeddedDatabase.dump), then the
// recordings and snapshots folders and the JWT key, then a manifest with every entry's size and SHA-256.
// The database is copied first: a file a copied row names was written before that row committed
// (or, for a recording, is being written), so it is on disk when the folders are read after.
// Files are streamed, never held in memory; the database copy is (PGlite's dumpDataDir).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Header, Pack, ReadEntry } from 'tar';
import { BACKUP_DATABASE_ENTRY, BACKUP_PATHS, BACKUP_MANIFEST_ENTRY, type BackupManifest } from '../../contract/diagnostics.ts';
import type { EmbeddedDatabase } from '../db/embedded.ts';
import type { Logger } from '../log.ts';

/** A tar header, and the end-of-archive blocks: for the size estimate. */
const TAR_BLOCK = 512;

export interface BackupSources {
  dataDir: string;
  embedded: EmbeddedDatabase;
  orm: MikroORM;
  logger: Logger;
}

export interface BackupStream {
  /** The tar, produced as it is read. */
  archive: Readable;
  /** Its size when no file grows meanwhile, in bytes. */
  estimatedBytes: number;
}

export async function createBackup({ dataDir, embedded, orm, logger }: BackupSources): Promise<BackupStream> {
  const database = await embedded.dump();
  const migrations = (await orm.migrator.getExecuted()).map((migration) => migration.name);
  const files = (await Promise.all(BACKUP_PATHS.map((path) => listFiles(dataDir, path)))).flat();
  const archive = new Pack({ portable: true });
  const entries: BackupManifest['entries'] = [];
  const addBuffer = (path: string, data: Uint8Array) => {
    const entry = new ReadEntry(new Header({ path, size: data.length, mode: 0o600, mtime: new Date(), type: 'File' }));
    archive.add(entry);
    entry.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    entries.push({ path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  };
  void (async () => {
    addBuffer(BACKUP_DATABASE_ENTRY, database);
    for (const path of files) {
      const added = await addFile(archive, dataDir, path);
      if (added) entries.push(added);
      else logger.warn({ path }, 'backup: a file vanished before it was copied (retention?): left out');
    }
    addBuffer(
      BACKUP_MANIFEST_ENTRY,
      Buffer.from(JSON.stringify({ format: 'proctor-backup/1', createdAt: new Date().toISOString(), migrations, entries } satisfies BackupManifest)),
    );
    archive.end();
  })().catch((error: unknown) => archive.emit('error', error));
  const sizes = await Promise.all(
    files.map((path) =>
      stat(join(dataDir, path)).then(
        (info) => info.size,
        () => 0,
      ),
    ),
  );
  const bytes = database.length + sizes.reduce((sum, size) => sum + size, 0);
  return { archive: Readable.from(archive), estimatedBytes: bytes + TAR_BLOCK * (2 * (files.length + 2) + 2) };
}

/** `path` (relative to `dataDir`, with /) when a file, else the regular files under it; dot files (ffmpeg's SDP) left out. */
async function listFiles(dataDir: string, path: string): Promise<string[]> {
  const root = join(dataDir, path);
  const info = await stat(root).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const found = await readdir(root, { recursive: true, withFileTypes: true });
  return found
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => relative(dataDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/**
 * Streams one file into the archive with the size it has when opened (a recording still being
 * written is copied up to there) and hashes what it sends. Undefined when the file is gone.
 */
async function addFile(archive: Pack, dataDir: string, path: string): Promise<BackupManifest['entries'][number] | undefined> {
  const handle = await open(join(dataDir, path)).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { size, mtime } = await handle.stat();
    const entry = new ReadEntry(new Header({ path, size, mode: 0o600, mtime, type: 'File' }));
    archive.add(entry);
    const hash = createHash('sha256');
    let sent = 0;
    if (size > 0) {
      for await (const chunk of handle.createReadStream({ start: 0, end: size - 1, autoClose: false }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        sent += chunk.length;
        if (!entry.write(chunk)) await once(entry, 'drain');
      }
    }
    // Only a file cut short while copied (nothing here truncates) reads less: keep the tar whole.
    if (sent < size) {
      const padding = Buffer.alloc(size - sent);
      hash.update(padding);
      entry.write(padding);
    }
    entry.end();
    return { path, bytes: size, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}
