// Random secrets and one-way token digests.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JWT_SECRET_FILE, OPERATOR_KEY_FILE } from '../../contract/diagnostics.ts';

/** SHA-256 of a bearer token: what the database keeps instead of the token itself. */
export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The JWT signing key: the configured one, else the one generated on first start and kept in
 * the data dir (mode 0600), so host logins and join links survive restarts.
 */
export async function loadSigningSecret(configured: string | undefined, dataDir: string): Promise<string> {
  return configured ?? loadGeneratedSecret(dataDir, JWT_SECRET_FILE, 48);
}

/**
 * The embedded database's password: generated on first start and kept in the data dir (mode
 * 0600). The socket server in front of PGlite accepts only connections that present it, so
 * another local user or process cannot connect to the embedded database's port.
 */
export function loadEmbeddedDatabasePassword(dataDir: string): Promise<string> {
  return loadGeneratedSecret(dataDir, 'database-password', 32);
}

/**
 * The operator key (`proctor doctor`, `proctor backup`): generated on first start and kept in the
 * data dir (mode 0600). Reading it takes what reading the database files takes.
 */
export function loadOperatorKey(dataDir: string): Promise<string> {
  return loadGeneratedSecret(dataDir, OPERATOR_KEY_FILE, 32);
}

/** A random secret kept in `<dataDir>/<name>` (mode 0600), made on first use; concurrent first starts agree on one. */
async function loadGeneratedSecret(dataDir: string, name: string, bytes: number): Promise<string> {
  const file = join(dataDir, name);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${randomToken(bytes)}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    // Another process created it first: use theirs.
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}
