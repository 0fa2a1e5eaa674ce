// Formatting shared by the bench reports: aligned tables, target verdicts, units, progress lines.
export const MIB = 1024 * 1024;

/** The first `labelColumns` columns left-aligned, the figures after them right-aligned. */
export function table(labelColumns: number, header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column]!.length)));
  const align = (cell: string, column: number) => (column < labelColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!));
  return all.map((row) => `  ${row.map(align).join('  ')}`.trimEnd());
}

export function verdict(value: number, limit: number): string {
  return value <= limit ? 'ok' : 'MISSED';
}

export function mebibytes(bytes: number): string {
  return `${(bytes / MIB).toFixed(0)} MiB`;
}

let lastProgress = 'start-up';

/** Progress goes to stderr, so stdout holds only the report (or its JSON). */
export function progress(message: string): void {
  lastProgress = message;
  console.error(`[bench] ${message}`);
}

/** The latest progress line: what the bench was doing when it stopped. */
export function currentStage(): string {
  return lastProgress;
}
