// Runs `proctor up` as a separate process, the way an operator does, so start-up time and memory
// are those of the real CLI: Node start, module loading, database and migrations included.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { processCpuSeconds } from './cpu.ts';
import { Limit } from './limits.ts';
import { ownChild } from './run.ts';

const CLI = fileURLToPath(new URL('../../cli/bin/run.js', import.meta.url));
const READY_POLL_MS = 20;
/**
 * A first start on the embedded database (initdb and migrations in PGlite) took over two minutes
 * on a 2-core machine shared with other work; a server that needs longer is stuck.
 */
const READY_TIMEOUT_MS = 180_000;
/** One /readyz probe: a server starting on a busy machine may take seconds to answer its first requests. */
const READY_PROBE_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 15_000;
/** Enough of the server's output to explain a failed start. */
const OUTPUT_TAIL_CHARS = 4_000;

export interface UpOptions {
  port: number;
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PEM files: the server speaks HTTPS and WSS (the bench's process must trust their issuer). */
  tls?: { cert: string; key: string } | undefined;
}

export class ProctorProcess implements AsyncDisposable {
  readonly url: string;
  /** From spawn to the first 200 on /readyz. */
  readonly readyMs: number;
  readonly #child: ChildProcess;
  readonly #exited: Promise<Exit>;
  readonly #output: () => string;

  private constructor(child: ChildProcess, exited: Promise<Exit>, output: () => string, url: string, readyMs: number) {
    this.#child = child;
    this.#exited = exited;
    this.#output = output;
    this.url = url;
    this.readyMs = readyMs;
  }

  /**
   * Spawns `proctor up` and resolves once /readyz answers 200; kills the process if it never
   * does, or when `signal` aborts first (then rejects with its reason).
   */
  static async start(options: UpOptions, signal?: AbortSignal): Promise<ProctorProcess> {
    const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${options.port}`;
    const started = performance.now();
    // The node binary itself, no shell in between: the pid is the server's, so /proc reads its memory.
    const child = ownChild(spawn(process.execPath, [CLI, 'up', ...upFlags(options)], { env: serverEnv(options), stdio: ['ignore', 'pipe', 'pipe'] }));
    const output = captureTail(child);
    const exited = exitOf(child);
    try {
      await waitUntilReady(url, child, signal);
    } catch (error) {
      await terminate(child, exited);
      if (signal?.aborted) throw signal.reason;
      throw new Limit('server error', `proctor up did not become ready: ${(error as Error).message}\n${output()}`);
    }
    return new ProctorProcess(child, exited, output, url, performance.now() - started);
  }

  /** The server's process id (the node process itself: no shell in between). */
  get pid(): number {
    return this.#child.pid!;
  }

  /** Resident memory of the server process now, in bytes (Linux). */
  async rssBytes(): Promise<number> {
    this.#assertRunning();
    const status = await readFile(`/proc/${this.#child.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    if (!match) throw new Error(`no VmRSS in /proc/${this.#child.pid}/status`);
    return Number(match[1]) * 1024;
  }

  /** CPU time (user + system) the server process has used so far, in seconds. */
  cpuSeconds(): Promise<number> {
    this.#assertRunning();
    return processCpuSeconds(this.#child.pid!);
  }

  /** Graceful stop (SIGTERM), as a service manager would; a server that hangs is killed. */
  stop(): Promise<Exit> {
    return terminate(this.#child, this.#exited);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** A server that died mid-run would otherwise surface as a puzzling missing /proc file. */
  #assertRunning(): void {
    const child = this.#child;
    if (hasExited(child)) throw new Limit('server error', `proctor up died (code ${child.exitCode}, signal ${child.signalCode})\n${this.#output()}`);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A TCP port nothing listens on right now on `ip`, so restarts (or another server) can use it. */
export async function freePort(ip = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, ip);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

function upFlags(options: UpOptions): string[] {
  const flags = ['--port', String(options.port), '--data-dir', options.dataDir];
  return options.databaseUrl ? [...flags, '--database-url', options.databaseUrl] : flags;
}

/**
 * The bench's environment minus any PROCTOR_* setting, so only the flags (and the certificate
 * asked for) decide what the server uses. The SFU listens on a free port: on a shared machine another `proctor up` may hold the
 * default one, and no bench that runs this process sends media to it.
 */
function serverEnv(options: UpOptions): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PROCTOR_')));
  const tls = options.tls ? { PROCTOR_TLS_CERT: options.tls.cert, PROCTOR_TLS_KEY: options.tls.key } : {};
  return { ...env, PROCTOR_LOG_LEVEL: 'warn', PROCTOR_RTC_PORT: '0', ...tls };
}

function captureTail(child: ChildProcess): () => string {
  let tail = '';
  const append = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => tail;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitUntilReady(url: string, child: ChildProcess, signal: AbortSignal | undefined): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    signal?.throwIfAborted();
    if (hasExited(child)) throw new Error(`the process exited (code ${child.exitCode}, signal ${child.signalCode})`);
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(READY_PROBE_TIMEOUT_MS) }).catch(() => undefined);
    await response?.body?.cancel();
    if (response?.status === 200) return;
    await sleep(READY_POLL_MS);
  }
  throw new Error(`no 200 from /readyz within ${READY_TIMEOUT_MS / 1000} s`);
}

async function terminate(child: ChildProcess, exited: Promise<Exit>): Promise<Exit> {
  if (!hasExited(child)) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
