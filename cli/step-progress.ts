// Progress of slow steps on stderr: on a terminal a spinner that turns into a tick with the time
// taken; elsewhere (logs, pipes) only the finished lines.
const FRAMES = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const FRAME_MS = 80;

export class StepProgress {
  readonly #out: NodeJS.WriteStream;
  #current: { label: string; startedAt: number; timer: NodeJS.Timeout | undefined } | undefined;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
  }

  start(label: string): void {
    this.#stopSpinner();
    let frame = 0;
    const timer = this.#out.isTTY ? setInterval(() => this.#out.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}…`), FRAME_MS).unref() : undefined;
    this.#current = { label, startedAt: performance.now(), timer };
  }

  /** Ends the current step with a tick, what it did, and how long it took. */
  done(detail?: string): void {
    if (!this.#current) return;
    const seconds = ((performance.now() - this.#current.startedAt) / 1000).toFixed(1);
    this.#finish(`✔ ${this.#current.label}${detail ? `  ${detail}` : ''} (${seconds} s)`);
  }

  /** Ends the current step, if any, with a cross. */
  fail(): void {
    if (this.#current) this.#finish(`✖ ${this.#current.label}`);
  }

  #finish(line: string): void {
    this.#stopSpinner();
    this.#current = undefined;
    // On a terminal the spinner's line is overwritten; \x1b[K clears what is left of it.
    this.#out.write(this.#out.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
  }

  #stopSpinner(): void {
    if (this.#current?.timer) clearInterval(this.#current.timer);
  }
}
