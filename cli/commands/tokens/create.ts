import { Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { API_TOKEN_FIELDS, type ApiToken } from '../../api-tokens.ts';

export default class Create extends ApiCommand<typeof Create> {
  static override summary = 'Create an API token for an ATS integration';
  static override description = `The secret is printed once and stored only as a hash. Only a host (not an API token) can create tokens.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --name greenhouse',
    { description: 'Straight into a secret store', command: '<%= config.bin %> <%= command.id %> --name ci --json | jq -r .token | pass insert -e proctor/ci' },
  ];
  static override flags = {
    name: Flags.string({ required: true, description: 'what the token is for; unique in the organisation' }),
  };

  async run(): Promise<{ token: string; apiToken: ApiToken }> {
    const { createApiToken } = await this.graphql<{ createApiToken: { token: string; apiToken: ApiToken } }>(
      `mutation($name: String!) { createApiToken(name: $name) { token apiToken { ${API_TOKEN_FIELDS} } } }`,
      { name: this.flags.name },
    );
    this.log(`Created API token "${createApiToken.apiToken.name}" (${createApiToken.apiToken.id}). Copy the secret now, it is not shown again:`);
    this.log(createApiToken.token);
    return createApiToken;
  }
}
