// A throw-away PostgreSQL cluster for fault tests: its own data dir and port, so a test can stop
// and start the database server under a running Proctor without touching anyone else's. Built
// from the machine's PostgreSQL server binaries (initdb, pg_ctl); PostgreSQL refuses to run as
// root, so as root every command runs as the `postgres` user (runuser), from `/` (which that
// user can read, unlike a root-owned checkout).
import { execFile } from 'node:child_process';
import { readdir, chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN_ROOT = '/usr/lib/postgresql';
const SERVER_USER = 'postgres';

interface Runner {
  /** Runs a PostgreSQL binary as the user the cluster belongs to. */
  run(binary: string, args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Who that is, when not this process's user (the data dir is given to them). */
  owner: { uid: number; gid: number } | undefined;
}

export class PrivateCluster {
  readonly url: string;
  readonly #bin: string;
  readonly #dir: string;
  readonly #port: number;
  readonly #runner: Runner;

  private constructor(bin: string, dir: string, port: number, runner: Runner) {
    this.#bin = bin;
    this.#dir = dir;
    this.#port = port;
    this.#runner = runner;
    this.url = `postgres://${SERVER_USER}@127.0.0.1:${port}/postgres`;
  }

  /** A running cluster, or the reason this machine cannot make one (the test skips with it). */
  static async create(): Promise<PrivateCluster | string> {
    const bin = await serverBinaries();
    if (!bin) return `no PostgreSQL server binaries (initdb, pg_ctl) under ${BIN_ROOT}/*/bin`;
    const runner = await runnerFor(bin);
    if (typeof runner === 'string') return runner;
    const dir = await mkdtemp(join(tmpdir(), 'proctor-pg-'));
    if (runner.owner) await chown(dir, runner.owner.uid, runner.owner.gid);
    await chmod(dir, 0o700);
    const cluster = new PrivateCluster(bin, dir, await freePort(), runner);
    try {
      await runner.run(join(bin, 'initdb'), ['-D', cluster.#dataDir, '-U', SERVER_USER, '--auth=trust', '-E', 'UTF8', '--no-sync']);
      await cluster.start();
    } catch (error) {
      await cluster.destroy();
      return `cannot start a private PostgreSQL cluster: ${(error as Error).message.split('\n')[0]}`;
    }
    return cluster;
  }

  get #dataDir(): string {
    return join(this.#dir, 'data');
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.#port} -c listen_addresses=127.0.0.1 -k ${this.#dir} -c fsync=off`;
    await this.#runner.run(join(this.#bin, 'pg_ctl'), ['start', '-w', '-D', this.#dataDir, '-l', join(this.#dir, 'server.log'), '-o', options]);
  }

  /** Fast shutdown: every session is terminated at once (in-flight statements fail), then the server exits. */
  async stop(): Promise<void> {
    await this.#runner.run(join(this.#bin, 'pg_ctl'), ['stop', '-w', '-m', 'fast', '-D', this.#dataDir]);
  }

  /** The server's own log (what it said about the sessions it terminated). */
  async log(): Promise<string> {
    return readFile(join(this.#dir, 'server.log'), 'utf8').catch(() => '');
  }

  /** Stops the server (immediately) if it runs, and removes everything. */
  async destroy(): Promise<void> {
    await this.#runner.run(join(this.#bin, 'pg_ctl'), ['stop', '-w', '-m', 'immediate', '-D', this.#dataDir]).catch(() => {});
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/** The newest installed major version's bin dir with initdb and pg_ctl. */
async function serverBinaries(): Promise<string | undefined> {
  const versions = await readdir(BIN_ROOT).catch(() => [] as string[]);
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const bin = join(BIN_ROOT, version, 'bin');
    const files = await readdir(bin).catch(() => [] as string[]);
    if (files.includes('initdb') && files.includes('pg_ctl') && files.includes('postgres')) return bin;
  }
  return undefined;
}

async function runnerFor(bin: string): Promise<Runner | string> {
  if (process.getuid?.() !== 0) return { run: (binary, args) => run(binary, args, { cwd: '/' }), owner: undefined };
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', SERVER_USER]), run('id', ['-g', SERVER_USER])]);
    const runner: Runner = {
      run: (binary, args) => run('runuser', ['-u', SERVER_USER, '--', binary, ...args], { cwd: '/' }),
      owner: { uid: Number(uid.stdout), gid: Number(gid.stdout) },
    };
    await runner.run(join(bin, 'pg_ctl'), ['--version']);
    return runner;
  } catch (error) {
    return `running as root, and cannot run PostgreSQL as the ${SERVER_USER} user with runuser: ${(error as Error).message.split('\n')[0]}`;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
