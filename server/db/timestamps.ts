// Raw SQL rows come back with timestamptz as PostgreSQL text (MikroORM turns pg's own date
// parsing off), e.g. "2026-11-24 18:44:47.139+00" or "…+05:30". This makes them ISO-8601 Dates.
export function parseTimestamp(value: string | Date): Date;
export function parseTimestamp(value: string | Date | null): Date | null;
export function parseTimestamp(value: string | Date | null): Date | null {
  if (value === null || value instanceof Date) return value;
  const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`Unexpected timestamp from the database: ${value}`);
  return date;
}
