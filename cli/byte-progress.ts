// Progress of a long transfer on stderr: on a terminal one line that updates in place; elsewhere
// (logs, pipes) a line at each quarter, so a log shows it moving without drowning in it.
const REDRAW_MS = 200;

export class ByteProgress {
  readonly #label: string;
  readonly #total: number | undefined;
  readonly #out: NodeJS.WriteStream;
  #bytes = 0;
  #drawnAt = 0;
  #quarter = 0;

  /** `total`: the expected size in bytes, when known (an estimate: the count may pass it). */
  constructor(label: string, total: number | undefined, out: NodeJS.WriteStream = process.stderr) {
    this.#label = label;
    this.#total = total;
    this.#out = out;
  }

  add(bytes: number): void {
    this.#bytes += bytes;
    if (this.#out.isTTY) {
      const now = performance.now();
      if (now - this.#drawnAt < REDRAW_MS) return;
      this.#drawnAt = now;
      this.#out.write(`\r${this.#line()}`);
    } else if (this.#total) {
      const quarter = Math.min(4, Math.floor((4 * this.#bytes) / this.#total));
      if (quarter > this.#quarter && quarter < 4) this.#out.write(`${this.#line()}\n`);
      this.#quarter = Math.max(this.#quarter, quarter);
    }
  }

  /** The final count, on its own line. */
  done(): void {
    this.#out.write(`${this.#out.isTTY ? '\r' : ''}${this.#line()}\n`);
  }

  #line(): string {
    const done = `${(this.#bytes / 1024 / 1024).toFixed(1)} MB`;
    if (!this.#total) return `${this.#label}: ${done}`;
    const percent = Math.min(100, Math.floor((100 * this.#bytes) / this.#total));
    return `${this.#label}: ${done} of ~${(this.#total / 1024 / 1024).toFixed(1)} MB (${percent}%)`;
  }
}
