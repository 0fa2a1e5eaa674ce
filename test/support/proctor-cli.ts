// Runs the real `proctor` CLI as a child process, with a clean environment.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freshStorage } from './platform.ts';

const BIN = fileURLToPath(new URL('../../cli/bin/run.js', import.meta.url));

/** The runner's environment minus PROCTOR_* names, so a developer's shell cannot steer the CLI. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PROCTOR_')));
  return { ...env, ...extra };
}

/** Runs this checkout's CLI, or another checkout's `cli/bin/run.js` given as `bin` (a fresh clone). */
export function spawnProctor(args: string[], env: Record<string, string>, bin = BIN): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [bin, ...args], { env: cleanEnv(env) });
}

/** oclif indents and wraps error messages at 80 columns: undo that so a message can be matched whole. */
export function squash(stderr: string): string {
  return stderr.replace(/^ ›\s*/gm, '').replace(/\s+/g, ' ');
}

export interface ProctorResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one `proctor` command to completion (no input) and collects what it printed. */
export async function runProctor(args: string[], env: Record<string, string> = {}): Promise<ProctorResult> {
  const child = spawnProctor(args, env);
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** A running `proctor up`: its stdout line by line, its stderr so far, and signals to stop it. */
export class UpProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  /** How the process ended: its exit code, or the signal that ended it. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stderr = '';

  constructor(args: string[], env: Record<string, string>, bin?: string) {
    this.#child = spawnProctor(['up', ...args], env, bin);
    this.#child.stdin.end();
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk));
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
    this.ended = once(this.#child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  }

  /** Starts `proctor up --port 0 --json` and waits for the URL it prints once up. */
  static async started(env: Record<string, string>, bin?: string): Promise<{ up: UpProcess; url: string }> {
    const up = new UpProcess(['--port', '0', '--json'], env, bin);
    try {
      return { up, url: (JSON.parse(await up.nextLine()) as { url: string }).url };
    } catch (error) {
      await up.kill();
      throw error;
    }
  }

  get exited(): Promise<number | null> {
    return this.ended.then(({ code }) => code);
  }

  get stderr(): string {
    return this.#stderr;
  }

  async nextLine(): Promise<string> {
    const { value, done } = await this.#lines.next();
    if (done) throw new Error(`proctor up ended early:\n${this.#stderr}`);
    return value;
  }

  /** What stdout still held after the lines already read, once the process is gone. */
  async remainingStdout(): Promise<string> {
    let rest = '';
    for (let next = await this.#lines.next(); !next.done; next = await this.#lines.next()) rest += `${next.value}\n`;
    return rest;
  }

  /** Sends the signal at once (synchronously: a SIGKILL lands before any further I/O of ours). */
  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  async stop(signal: NodeJS.Signals): Promise<number | null> {
    this.signal(signal);
    return this.exited;
  }

  /** Cleanup after a failed assertion: never leave a server running. */
  kill(): Promise<unknown> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    return this.ended;
  }
}

/**
 * Two `proctor up` processes on one fresh database, started together (their migrations must take
 * turns), for what has to cross processes. Both are stopped and the database dropped afterwards.
 */
export async function withTwoServers(use: (urlA: string, urlB: string) => Promise<void>): Promise<void> {
  const storage = await freshStorage();
  const started = await Promise.allSettled([UpProcess.started(storage.env), UpProcess.started(storage.env)]);
  const processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.up] : []));
  try {
    const [urlA, urlB] = started.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value.url;
    });
    await use(urlA!, urlB!);
  } finally {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await storage.drop();
  }
}
