// Where a benchmark run keeps its data (a fresh data dir, and on a server a fresh database) and
// how it fills it: one org whose host owns many interviews.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../server/config.ts';
import { InterviewStatus } from '../../server/db/entities.ts';
import { Platform } from '../../server/platform.ts';
import { DEFAULT_INTERVIEW_CONFIG } from '../../server/services/interviews.ts';
import { GraphQLClient } from '../../test/support/graphql.ts';
import { CALL_TIMEOUT_MS } from './limits.ts';

export interface Storage {
  dataDir: string;
  /** Absent for the embedded database. */
  databaseUrl: string | undefined;
  /**
   * The PostgreSQL backend processes serving this database now, or undefined when they are not
   * processes of this machine: PGlite runs inside the server process, a remote server elsewhere.
   */
  backendPids(): Promise<number[] | undefined>;
  drop(): Promise<void>;
}

export interface Credentials {
  email: string;
  password: string;
}

const CONNECT_TIMEOUT_MS = 3_000;
/** create/drop database included (drop … with (force) ends the scratch database's sessions first). */
const ADMIN_QUERY_TIMEOUT_MS = 30_000;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export async function embeddedStorage(): Promise<Storage> {
  const dataDir = await freshDataDir();
  return {
    dataDir,
    databaseUrl: undefined,
    backendPids: async () => undefined,
    drop: () => removeDataDir(dataDir),
  };
}

/** The server's version, or why it cannot be used (then the server runs are skipped). */
export async function probeServer(adminUrl: string): Promise<{ version: string } | { unreachable: string }> {
  try {
    const [row] = await adminQuery<{ server_version: string }>(adminUrl, 'show server_version');
    return { version: row!.server_version };
  } catch (error) {
    return { unreachable: (error as Error).message };
  }
}

/** A fresh database on the server (dropped again by `drop`), plus a data dir for the JWT key. */
export async function serverStorage(adminUrl: string): Promise<Storage> {
  const name = `proctor_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(adminUrl, `create database "${name}"`);
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${name}`;
  const dataDir = await freshDataDir();
  return {
    dataDir,
    databaseUrl: databaseUrl.toString(),
    async backendPids() {
      if (!LOCAL_HOSTS.has(databaseUrl.hostname)) return undefined;
      const rows = await adminQuery<{ pid: number }>(adminUrl, `select pid from pg_stat_activity where datname = '${name}'`);
      return rows.map((row) => row.pid);
    },
    async drop() {
      await adminQuery(adminUrl, `drop database if exists "${name}" with (force)`);
      await removeDataDir(dataDir);
    },
  };
}

/**
 * Signs up a host (through GraphQL, so the org is made the way the product makes it) and gives
 * its org `count` interviews in one INSERT … SELECT: seconds instead of minutes of API calls.
 * Runs the platform in this process; it must be closed before `proctor up` opens the same storage.
 */
export async function seedInterviews(storage: Storage, count: number): Promise<Credentials> {
  const platform = await Platform.create(loadConfig({}, { port: 0, dataDir: storage.dataDir, databaseUrl: storage.databaseUrl, logLevel: 'warn' }));
  try {
    const credentials = { email: `bench-${process.pid}@example.com`, password: 'benchmark password' };
    const hostId = await signUp(new GraphQLClient(platform.url, undefined, { timeoutMs: CALL_TIMEOUT_MS }), credentials);
    const connection = platform.orm.em.getConnection();
    // created_at one second apart: cursors carry milliseconds, so rows must differ by at least that.
    await connection.execute(
      `insert into interviews (id, org_id, host_id, title, status, scheduled_at, config, created_at)
       select gen_random_uuid(), h.org_id, h.id, 'Benchmark interview ' || i, ?, now() + i * interval '1 hour', ?::jsonb,
              now() - (? - i) * interval '1 second'
       from hosts h, generate_series(1, ?) as i
       where h.id = ?`,
      [InterviewStatus.SCHEDULED, JSON.stringify(DEFAULT_INTERVIEW_CONFIG), count, count, hostId],
    );
    // Statistics as a long-running server would have them (autovacuum), so the planner sees 10k rows.
    await connection.execute('analyze interviews');
    return credentials;
  } finally {
    await platform.close();
  }
}

/** A host token from `logIn`, as a dashboard gets one. */
export async function logIn(baseUrl: string, credentials: Credentials): Promise<string> {
  const data = await new GraphQLClient(baseUrl, undefined, { timeoutMs: CALL_TIMEOUT_MS }).ok<{ logIn: { token: string } }>(
    'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { token } }',
    { ...credentials },
  );
  return data.logIn.token;
}

async function signUp(client: GraphQLClient, credentials: Credentials): Promise<string> {
  const data = await client.ok<{ signUp: { host: { id: string } } }>(
    'mutation($email: String!, $password: String!) { signUp(email: $email, password: $password, orgName: "Benchmark") { host { id } } }',
    { ...credentials },
  );
  return data.signUp.host.id;
}

function freshDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'proctor-bench-'));
}

async function adminQuery<T extends object = object>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: ADMIN_QUERY_TIMEOUT_MS });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Retries while a process that is still shutting down (or a timed-out check in this one) writes into it. */
function removeDataDir(dataDir: string): Promise<void> {
  return rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}
