// Starts a real Proctor platform for a test file: on the embedded database in a fresh temporary
// data dir, or, when PROCTOR_TEST_DATABASE_URL is set, on that PostgreSQL server in a freshly
// created database that is dropped afterwards. Either starts as a copy of a migrated database
// (database-template.ts) unless a test asks for a blank one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedDatabaseDir, loadConfig, type Config } from '../../server/config.ts';
import { Platform, type PlatformOptions } from '../../server/platform.ts';
import { adminQuery, copyMigratedEmbeddedDatabase, databaseUrl, migratedServerDatabase } from './database-template.ts';

export interface TestPlatform {
  platform: Platform;
  url: string;
  /** What a CLI process needs to reach the same database (for `proctor up` tests). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export const USING_SERVER = Boolean(process.env.PROCTOR_TEST_DATABASE_URL);

export function describeDatabase(): string {
  return USING_SERVER ? 'PostgreSQL server' : 'embedded database';
}

/**
 * Marks a test (called first in it) or a whole describe (called in its before hook) as exercising
 * nothing that differs between the embedded database and a PostgreSQL server: TLS, the network,
 * the doctor's checks of the machine, CLI output. CI runs the suite once per database; such tests
 * run in the embedded run and are skipped in the server run, where they would only repeat it.
 */
export function databaseAgnostic(context: Mocha.Context): void {
  if (USING_SERVER) context.skip();
}

/**
 * A fresh data dir, and (on a server) a fresh database: migrated already, or with `blank` an empty
 * one, for tests of what a first start does (`proctor up` applies every migration).
 */
export async function freshStorage({ blank = false } = {}): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'proctor-test-'));
  // One mediasoup worker on free ports: test platforms (and `proctor up` processes) run side by side.
  const env: Record<string, string> = { PROCTOR_DATA_DIR: dataDir, PROCTOR_LOG_LEVEL: 'silent', PROCTOR_SFU_WORKERS: '1', PROCTOR_RTC_PORT: '0' };
  let dropDatabase = async () => {};
  const serverUrl = process.env.PROCTOR_TEST_DATABASE_URL;
  if (serverUrl) {
    const name = `proctor_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await adminQuery(serverUrl, blank ? `create database "${name}"` : `create database "${name}" template "${await migratedServerDatabase(serverUrl)}"`);
    env.PROCTOR_DATABASE_URL = databaseUrl(serverUrl, name);
    dropDatabase = async () => void (await adminQuery(serverUrl, `drop database if exists "${name}" with (force)`));
  } else if (!blank) {
    await copyMigratedEmbeddedDatabase(embeddedDatabaseDir(loadConfig(env)));
  }
  return {
    env,
    async drop() {
      await dropDatabase();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startTestPlatform(overrides: Partial<Config> = {}, extraEnv: Record<string, string> = {}, options: PlatformOptions = {}): Promise<TestPlatform> {
  const storage = await freshStorage();
  const env = { ...storage.env, ...extraEnv };
  const platform = await Platform.create(loadConfig(env, { port: 0, ...overrides }), options);
  return {
    platform,
    url: platform.url,
    env,
    async stop() {
      await platform.close();
      await storage.drop();
    },
  };
}
