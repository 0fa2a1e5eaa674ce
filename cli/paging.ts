// Forward paging over Relay connections, shared by the list commands.
import { Flags } from '@oclif/core';

export interface Connection<Node> {
  edges: { node: Node }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const PAGE_FIELDS = 'pageInfo { hasNextPage endCursor }';

export const pagingFlags = {
  first: Flags.integer({ description: 'page size, 1–100 [default: 20]' }),
  after: Flags.string({ description: 'continue after this cursor (printed below a page that has more)' }),
  all: Flags.boolean({ description: 'follow every page', exclusive: ['after'] }),
};

/** One page from `after`, or with `all` every page from there on, and where the next page starts. */
export async function collectPages<Node>(
  fetchPage: (after: string | undefined) => Promise<Connection<Node>>,
  options: { after?: string | undefined; all?: boolean | undefined },
): Promise<{ nodes: Node[]; nextCursor: string | null }> {
  const nodes: Node[] = [];
  let after = options.after;
  for (;;) {
    const page = await fetchPage(after);
    nodes.push(...page.edges.map((edge) => edge.node));
    const nextCursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    if (!options.all || !nextCursor) return { nodes, nextCursor };
    after = nextCursor;
  }
}

/** Printed under a page that has more, so the same command can continue. */
export function morePagesHint(nextCursor: string): string {
  return `More: repeat with --after ${nextCursor} (or --all for every page)`;
}
