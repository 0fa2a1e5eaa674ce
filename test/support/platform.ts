// Starts a real Proctor platform for a test file: on the embedded database in a fresh temporary
// data dir, or, when PROCTOR_TEST_DATABASE_URL is set, on that PostgreSQL server in a freshly
// created database that is dropped afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../../server/config.ts';
import { Platform, type PlatformOptions } from '../../server/platform.ts';

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

/** A fresh data dir, and (on a server) a fresh database. */
export async function freshStorage(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'proctor-test-'));
  // One mediasoup worker on free ports: test platforms (and `proctor up` processes) run side by side.
  const env: Record<string, string> = { PROCTOR_DATA_DIR: dataDir, PROCTOR_LOG_LEVEL: 'silent', PROCTOR_SFU_WORKERS: '1', PROCTOR_RTC_PORT: '0' };
  let dropDatabase = async () => {};
  const serverUrl = process.env.PROCTOR_TEST_DATABASE_URL;
  if (serverUrl) {
    const name = `proctor_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await adminQuery(serverUrl, `create database "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    env.PROCTOR_DATABASE_URL = url.toString();
    dropDatabase = () => adminQuery(serverUrl, `drop database if exists "${name}" with (force)`);
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

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
