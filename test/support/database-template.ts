// Migrated databases for test storage to start from. Initialising an embedded data dir and applying
// every migration cost seconds per test platform (initdb in WASM: tens of seconds on a busy 2-core
// machine), and a test run starts dozens; so each starts from a copy of one database, migrated
// once by the code `proctor up` runs on its first start (openOrm + migrate). Tests of that first
// start itself ask freshStorage for a blank database instead.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { EmbeddedDatabase } from '../../server/db/embedded.ts';
import { migrate, openOrm } from '../../server/db/orm.ts';

const MIGRATIONS_DIR = new URL('../../server/db/migrations/', import.meta.url);

let embeddedTemplate: Promise<string> | undefined;

/**
 * Fills `pgdata` (which must not exist) with a copy of a migrated embedded database. The template
 * is made once per test process, in a temporary dir removed when the process exits.
 */
export async function copyMigratedEmbeddedDatabase(pgdata: string): Promise<void> {
  embeddedTemplate ??= migratedEmbeddedDatabase();
  // cp(1): a few times faster than fs.cp on the data dir's thousand small files.
  await promisify(execFile)('cp', ['-a', await embeddedTemplate, pgdata]);
}

async function migratedEmbeddedDatabase(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'proctor-test-template-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const pgdata = join(dir, 'pgdata');
  const database = await EmbeddedDatabase.create(pgdata, { waitTimeoutMs: 60_000 });
  try {
    const orm = await openOrm({ url: database.url, poolSize: 1 });
    try {
      await migrate(orm, undefined);
    } finally {
      await orm.close();
    }
  } finally {
    await database.close(); // a clean shutdown: the files are a consistent database to copy
  }
  return pgdata;
}

let serverTemplate: Promise<string> | undefined;

/**
 * The name of a migrated database on the PostgreSQL server at `serverUrl`, for
 * `create database … template`. It stays on the server between runs, named by a digest of the
 * migrations (and the ORM version that records them), so a changed or added migration makes a new one.
 */
export function migratedServerDatabase(serverUrl: string): Promise<string> {
  serverTemplate ??= (async () => {
    const name = `proctor_template_${await migrationsDigest()}`;
    const exists = await adminQuery<{ exists: boolean }>(serverUrl, 'select exists (select 1 from pg_database where datname = $1) as "exists"', [name]);
    if (!exists[0]!.exists) await createServerTemplate(serverUrl, name);
    return name;
  })();
  return serverTemplate;
}

/** Migrates a database of its own, then renames it into place: another test run may be making the same one. */
async function createServerTemplate(serverUrl: string, name: string): Promise<void> {
  const building = `${name}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(serverUrl, `create database "${building}"`);
  try {
    const url = databaseUrl(serverUrl, building);
    const orm = await openOrm({ url, poolSize: 1, server: true });
    try {
      await migrate(orm, url);
    } finally {
      await orm.close();
    }
    // No connections from now on: a database being copied must have none.
    await adminQuery(serverUrl, `alter database "${building}" with allow_connections false`);
    await adminQuery(serverUrl, `alter database "${building}" rename to "${name}"`);
  } catch (error) {
    await adminQuery(serverUrl, `drop database if exists "${building}" with (force)`);
    if ((error as { code?: string }).code !== '42P04') throw error; // duplicate_database: the other run's is the same
  }
}

async function migrationsDigest(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(MIGRATIONS_DIR)).sort()) hash.update(file).update(await readFile(new URL(file, MIGRATIONS_DIR)));
  hash.update(JSON.parse(await readFile(new URL('../../node_modules/@mikro-orm/migrations/package.json', import.meta.url), 'utf8')).version);
  return hash.digest('hex').slice(0, 16);
}

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery<Row = unknown>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as Row[];
  } finally {
    await client.end();
  }
}
