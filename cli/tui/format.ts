// Small text helpers the dashboard components share.
import type { Severity } from '../../contract/violations.ts';

const BARS = '▁▂▃▄▅▆▇█';

/** The last `width` values as a bar per value, scaled to the largest shown (and at least `floor`). */
export function sparkline(values: readonly number[], width: number, floor = 1): string {
  const shown = values.slice(-width);
  const top = Math.max(floor, ...shown);
  return shown
    .map((value) => BARS[Math.min(BARS.length - 1, Math.round((value / top) * (BARS.length - 1)))])
    .join('')
    .padEnd(width, ' ');
}

/** hh:mm:ss of a duration (negative counts as zero). */
export function clock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

/** The local time of day of an instant, hh:mm:ss. */
export function timeOfDay(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

export const SEVERITY_COLOR: Record<Severity, string> = { LOW: 'gray', MEDIUM: 'yellow', HIGH: 'red', CRITICAL: 'redBright' };
