import { Args } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { API_TOKEN_FIELDS, type ApiToken } from '../../api-tokens.ts';

export default class Revoke extends ApiCommand<typeof Revoke> {
  static override summary = 'Revoke an API token: it stops working at once';
  static override description = EXIT_CODES_HELP;
  static override examples = ['<%= config.bin %> <%= command.id %> 0b7e5d2c-3f4a-4c1e-9a8b-7d6e5f4a3b2c'];
  static override args = {
    id: Args.string({ required: true, description: 'API token ID (see `tokens list`)' }),
  };

  async run(): Promise<ApiToken> {
    const { revokeApiToken } = await this.graphql<{ revokeApiToken: ApiToken }>(`mutation($id: ID!) { revokeApiToken(id: $id) { ${API_TOKEN_FIELDS} } }`, {
      id: this.args.id,
    });
    this.log(`Revoked API token "${revokeApiToken.name}" (${revokeApiToken.id})`);
    return revokeApiToken;
  }
}
