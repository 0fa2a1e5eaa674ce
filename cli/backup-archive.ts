// Reading a `proctor backup` archive: every entry is hashed as it is read and checked against the
// manifest, the last entry (an archive cut short has none, and is refused). Entries may only be
// the database copy and files under the folders a backup holds: an archive naming anything else
// (an absolute path, `..`) is refused before anything is written.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { BACKUP_DATABASE_ENTRY, BACKUP_MANIFEST_ENTRY, BACKUP_PATHS, type BackupManifest } from '../contract/diagnostics.ts';

export class BackupArchiveError extends Error {
  override name = 'BackupArchiveError';
}

/** Called for each data entry (not the manifest) with its content as it is read. */
export type EntryConsumer = (path: string, size: number, chunks: AsyncIterable<Buffer>) => Promise<void>;

/** Reads the archive through, checks it whole, and returns its manifest; `consume` may store entries meanwhile. */
export async function readBackup(file: string, consume?: EntryConsumer): Promise<BackupManifest> {
  const seen = new Map<string, { bytes: number; sha256: string }>();
  let manifest: BackupManifest | undefined;
  const pending: Promise<void>[] = [];
  let failure: Error | undefined;
  const parser: Parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      pending.push(
        (async () => {
          if (entry.type !== 'File') throw new BackupArchiveError(`unexpected ${entry.type} entry "${entry.path}"`);
          if (manifest) throw new BackupArchiveError(`entry "${entry.path}" after the manifest`);
          if (entry.path === BACKUP_MANIFEST_ENTRY) {
            const chunks: Buffer[] = [];
            for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
            manifest = parseManifest(Buffer.concat(chunks).toString('utf8'));
            return;
          }
          checkPath(entry.path);
          const hash = createHash('sha256');
          let bytes = 0;
          const hashed = (async function* () {
            for await (const chunk of entry as AsyncIterable<Buffer>) {
              hash.update(chunk);
              bytes += chunk.length;
              yield chunk;
            }
          })();
          if (consume) await consume(entry.path, entry.size ?? 0, hashed);
          else await finished(Readable.from(hashed).resume());
          seen.set(entry.path, { bytes, sha256: hash.digest('hex') });
        })().catch((error: unknown) => {
          // The parser waits for each entry to be read: stop it, or it waits for ever.
          failure ??= error instanceof Error ? error : new Error(String(error));
          entry.resume();
          parser.abort(failure);
        }),
      );
    },
  });
  try {
    await pipeline(createReadStream(file), parser);
    await Promise.all(pending);
  } catch (error) {
    await Promise.all(pending);
    const cause = failure ?? error;
    if (cause instanceof BackupArchiveError) throw cause;
    throw new BackupArchiveError(`${file} is not a readable backup archive: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (failure) throw failure;
  if (!manifest) throw new BackupArchiveError(`${file} has no manifest: the archive is incomplete (was the backup interrupted?)`);
  const found = manifest;
  for (const expected of found.entries) {
    const actual = seen.get(expected.path);
    if (!actual) throw new BackupArchiveError(`${expected.path} is listed in the manifest but missing from the archive`);
    if (actual.bytes !== expected.bytes || actual.sha256 !== expected.sha256)
      throw new BackupArchiveError(`${expected.path} does not match its checksum: the archive is damaged`);
  }
  if (seen.size !== found.entries.length) throw new BackupArchiveError('the archive holds entries its manifest does not list');
  if (!seen.has(BACKUP_DATABASE_ENTRY)) throw new BackupArchiveError('the archive holds no database');
  return found;
}

function checkPath(path: string): void {
  const parts = path.split('/');
  const allowed = path === BACKUP_DATABASE_ENTRY || (BACKUP_PATHS as readonly string[]).includes(parts[0]!);
  if (!allowed || path.startsWith('/') || parts.some((part) => part === '..' || part === '' || part === '.')) {
    throw new BackupArchiveError(`refusing the archive: it names "${path}", which is not part of a Proctor backup`);
  }
}

function parseManifest(text: string): BackupManifest {
  try {
    const manifest = JSON.parse(text) as BackupManifest;
    if (manifest.format !== 'proctor-backup/1' || !Array.isArray(manifest.entries) || !Array.isArray(manifest.migrations)) throw new Error('unknown format');
    return manifest;
  } catch (error) {
    throw new BackupArchiveError(`the archive's manifest is not a Proctor backup manifest (${(error as Error).message})`, { cause: error });
  }
}
