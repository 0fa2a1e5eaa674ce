// Maps a service Page onto a Relay connection. Only forward paging (first/after) is offered.
import type { Page } from '../server/pagination.ts';
import { ValidationError } from '../server/errors.ts';

export interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

export function forwardOnly(args: ConnectionArgs): { first: number | null | undefined; after: string | null | undefined } {
  if (args.last != null || args.before != null) throw new ValidationError('last', 'backward paging is not supported; use first/after');
  return { first: args.first, after: args.after };
}

export function toConnection<T>(page: Page<T>) {
  const edges = page.items.map((node) => ({ cursor: page.cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
