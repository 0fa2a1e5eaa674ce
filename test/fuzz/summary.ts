// Tallies of a fuzz campaign: cases per transport, principal and outcome code, root-field
// coverage, the slowest cases and every failure with what reproduces it.
import type { Transport } from './transports.ts';
import type { Principal } from './world.ts';

export interface CaseRecord {
  index: number;
  transport: Transport;
  principal: Principal;
  field: string;
  shape: string;
  codes: string[];
  ms: number;
}

export interface Failure {
  index: number;
  what: string;
  /** The case as sent (truncated), to read; the seed and index replay it exactly. */
  detail: string;
}

export class Summary {
  readonly seed: number;
  readonly failures: Failure[] = [];
  readonly #counts = new Map<string, number>();
  readonly #fields = new Set<string>();
  readonly #slowest: CaseRecord[] = [];
  cases = 0;
  batches = 0;
  /** The longest event-loop stall seen between two batch checks. */
  maxEventLoopDelayMs = 0;
  startedAt = Date.now();

  constructor(seed: number) {
    this.seed = seed;
  }

  record(record: CaseRecord): void {
    this.cases++;
    if (record.shape !== 'malformed') this.#fields.add(record.field);
    const code = [...new Set(record.codes)].sort().join('+');
    this.#counts.set(`${record.transport}\t${record.principal}\t${code}`, (this.#counts.get(`${record.transport}\t${record.principal}\t${code}`) ?? 0) + 1);
    this.#slowest.push(record);
    this.#slowest.sort((a, b) => b.ms - a.ms);
    this.#slowest.length = Math.min(this.#slowest.length, 10);
  }

  fail(index: number, what: string, detail: string): void {
    this.failures.push({ index, what, detail: detail.length > 2000 ? `${detail.slice(0, 2000)}… (${detail.length} characters)` : detail });
  }

  get fieldsCovered(): number {
    return this.#fields.size;
  }

  /** Cases per transport, principal and outcome, in one table. */
  table(): string {
    const rows = [...this.#counts.entries()].map(([key, count]) => [...key.split('\t'), String(count)]);
    rows.sort((a, b) => a[0]!.localeCompare(b[0]!) || a[1]!.localeCompare(b[1]!) || Number(b[3]) - Number(a[3]));
    const header = ['transport', 'principal', 'outcome', 'cases'];
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
    return [header, ...rows].map((row) => row.map((cell, i) => (i === 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')).join('\n');
  }

  format(rootFields: number): string {
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    const lines = [
      `Fuzz seed ${this.seed}: ${this.cases} cases in ${this.batches} batches, ${seconds} s; ${this.fieldsCovered} of ${rootFields} root fields; longest event-loop stall ${Math.round(this.maxEventLoopDelayMs)} ms`,
      '',
      this.table(),
      '',
      'Slowest cases:',
      ...this.#slowest.map((c) => `  #${c.index}  ${Math.round(c.ms)} ms  ${c.transport} ${c.principal} ${c.field} (${c.shape}) → ${[...new Set(c.codes)].join('+')}`),
      '',
      this.failures.length === 0 ? 'No failures.' : `${this.failures.length} failure(s) — replay one with --seed ${this.seed} --only <case>:`,
      ...this.failures.map((f) => `  #${f.index}: ${f.what}\n    ${f.detail.replaceAll('\n', '\n    ')}`),
    ];
    return lines.join('\n');
  }
}
