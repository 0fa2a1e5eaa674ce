// Keyset pagination over (createdAt, id): stable under inserts, and an index serves every page.
// Cursors are opaque to clients.
import { ValidationError } from './errors.ts';
import { isUuid } from './validate.ts';

export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  cursorOf(item: T): string;
}

export interface Keyed {
  id: string;
  createdAt: Date;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageSize(args: PageArgs): number {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new ValidationError('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  return first;
}

export function encodeCursor(item: Keyed): string {
  return Buffer.from(`${item.createdAt.toISOString()}|${item.id}`).toString('base64url');
}

export function decodeCursor(after: string | null | undefined): Keyed | undefined {
  if (!after) return undefined;
  const [iso, id] = Buffer.from(after, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || !isUuid(id) || Number.isNaN(createdAt.getTime())) throw new ValidationError('after', 'is not a cursor this API returned');
  return { createdAt, id };
}

/** The where-clause fragment selecting rows after the cursor, or {} for the first page. */
export function afterCursor(after: string | null | undefined): Record<string, unknown> {
  const cursor = decodeCursor(after);
  if (!cursor) return {};
  return { $or: [{ createdAt: { $gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $gt: cursor.id } }] };
}

export const KEYSET_ORDER = { createdAt: 'asc', id: 'asc' } as const;

/** Turns rows fetched with limit first + 1 into a page; `keyOf` names the keyset columns. */
export function toPage<T>(rows: T[], first: number, keyOf: (item: T) => Keyed = (item) => item as Keyed): Page<T> {
  return { items: rows.slice(0, first), hasNextPage: rows.length > first, cursorOf: (item) => encodeCursor(keyOf(item)) };
}
