// A real terminal for end-to-end tests of full-screen commands: a detached tmux session on a
// private socket (so it never touches the developer's tmux), driven with send-keys and read with
// capture-pane.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EXITED = 'proctor-test-exited-with';

export class TmuxSession {
  readonly #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Starts `argv` in a fresh terminal of the given size; `env` is the whole environment it gets. */
  static async start(argv: string[], env: NodeJS.ProcessEnv, size: { width: number; height: number }): Promise<TmuxSession> {
    const session = new TmuxSession(`proctor-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    // The shell also prints how the command ended (see `ended`).
    const command = [
      'env',
      '-i',
      ...Object.entries(env)
        .filter((e): e is [string, string] => e[1] !== undefined)
        .map(([k, v]) => `${k}=${v}`),
      // bash, not sh: when Ctrl-C reaches both, bash still reports a command that handled it.
      'bash',
      '-c',
      `"$@"; echo "${EXITED} $?"`,
      'bash',
      ...argv,
    ]
      .map(shellQuote)
      .join(' ');
    // remain-on-exit (set before the command starts) keeps the pane and its exit status after it ends.
    await session.#tmux(
      '-f',
      '/dev/null',
      'start-server',
      ';',
      'set-option',
      '-g',
      'remain-on-exit',
      'on',
      ';',
      'new-session',
      '-d',
      '-x',
      String(size.width),
      '-y',
      String(size.height),
      command,
    );
    return session;
  }

  /** The visible screen, one string per row. */
  async screen(): Promise<string> {
    return (await this.#tmux('capture-pane', '-p')).stdout;
  }

  /** Keys as tmux names them: literal text, or names such as Enter, Escape, Up. */
  async sendKeys(...keys: string[]): Promise<void> {
    await this.#tmux('send-keys', ...keys);
  }

  async resize(width: number, height: number): Promise<void> {
    await this.#tmux('resize-window', '-x', String(width), '-y', String(height));
  }

  /** Polls the screen until `test` holds; fails with the last screen after `timeoutMs`. */
  async waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const holds = typeof test === 'function' ? test : (screen: string) => test.test(screen);
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.screen();
      if (holds(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the screen never matched ${test instanceof RegExp ? String(test) : test.name || 'the condition'} within ${timeoutMs} ms; it shows:\n${screen}`);
  }

  /**
   * Once the command has ended: its exit status (128 + n for signal n, as the shell says). tmux
   * 3.3 sometimes marks a pane dead without its status, and a full-screen program's exit can
   * race the shell's line, so all three places are read.
   */
  async ended(): Promise<number | null> {
    const screen = await this.screen();
    const status =
      new RegExp(`^${EXITED} (\\d+)$`, 'm').exec(screen)?.[1] ??
      /^Pane is dead \(status (\d+),/m.exec(screen)?.[1] ??
      /^1\|(\d+)$/.exec((await this.#tmux('display-message', '-p', '#{pane_dead}|#{pane_dead_status}')).stdout.trim())?.[1];
    return status === undefined ? null : Number(status);
  }

  /** Waits for the command to end; fails with the last screen after `timeoutMs`. */
  async waitForEnd(timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ended = await this.ended();
      if (ended !== null) return ended;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the command did not end within ${timeoutMs} ms; the screen shows:\n${await this.screen()}`);
  }

  /** The process the pane runs: the shell that wraps the command (see `start`). */
  async panePid(): Promise<number> {
    return Number((await this.#tmux('display-message', '-p', '#{pane_pid}')).stdout.trim());
  }

  async kill(): Promise<void> {
    await this.#tmux('kill-server').catch(() => {});
    // tmux leaves the socket file of a killed server behind.
    await rm(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid!()}`, this.#socket), { force: true });
  }

  #tmux(...args: string[]) {
    return run('tmux', ['-L', this.#socket, ...args]);
  }
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
