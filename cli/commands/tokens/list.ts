import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { API_TOKEN_FIELDS, type ApiToken } from '../../api-tokens.ts';
import { instant, table } from '../../format.ts';
import { collectPages, morePagesHint, PAGE_FIELDS, pagingFlags, type Connection } from '../../paging.ts';

export default class List extends ApiCommand<typeof List> {
  static override summary = "List the organisation's API tokens, oldest first (revoked ones included)";
  static override description = EXIT_CODES_HELP;
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --all --json'];
  static override flags = { ...pagingFlags };

  async run(): Promise<{ apiTokens: ApiToken[]; nextCursor: string | null }> {
    const { first, after, all } = this.flags;
    const { nodes, nextCursor } = await collectPages(
      async (cursor) =>
        (
          await this.graphql<{ apiTokens: Connection<ApiToken> }>(
            `query($first: Int, $after: String) { apiTokens(first: $first, after: $after) { edges { node { ${API_TOKEN_FIELDS} } } ${PAGE_FIELDS} } }`,
            { first, after: cursor },
          )
        ).apiTokens,
      { after, all },
    );
    if (nodes.length === 0) this.log('No API tokens');
    else {
      this.log(
        table([
          ['ID', 'NAME', 'PREFIX', 'SCOPES', 'CREATED', 'LAST USED', 'REVOKED'],
          ...nodes.map((t) => [t.id, t.name, t.prefix, t.scopes.join(','), instant(t.createdAt), instant(t.lastUsedAt), instant(t.revokedAt)]),
        ]),
      );
    }
    if (nextCursor) this.log(morePagesHint(nextCursor));
    return { apiTokens: nodes, nextCursor };
  }
}
