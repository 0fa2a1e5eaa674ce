import { Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { API_TOKEN_FIELDS, API_TOKEN_SCOPES, type ApiToken } from '../../api-tokens.ts';

export default class Create extends ApiCommand<typeof Create> {
  static override summary = 'Create an API token for an ATS integration';
  static override description =
    'The secret is printed once and stored only as a hash. Only a host (not an API token) can create tokens.\n\n' +
    'Scopes: INTERVIEWS_READ (interviews, candidates, history, reports and their files), INTERVIEWS_WRITE (create ' +
    'interviews, invite candidates, start / end / archive), LIVE (watch live events, ping candidates, join the ' +
    'media room as the host), ADMIN (retention, webhooks, listing and revoking API tokens). Without --scope a ' +
    `token gets what an ATS integration needs: INTERVIEWS_READ and INTERVIEWS_WRITE.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --name greenhouse',
    {
      description: 'A token that may only watch live events and read interviews',
      command: '<%= config.bin %> <%= command.id %> --name wallboard --scope LIVE --scope INTERVIEWS_READ',
    },
    { description: 'Straight into a secret store', command: '<%= config.bin %> <%= command.id %> --name ci --json | jq -r .token | pass insert -e proctor/ci' },
  ];
  static override flags = {
    name: Flags.string({ required: true, description: 'what the token is for; unique in the organisation' }),
    scope: Flags.option({
      options: API_TOKEN_SCOPES,
      multiple: true,
      description: 'what the token may do; repeat for several [default: INTERVIEWS_READ and INTERVIEWS_WRITE]',
    })(),
  };

  async run(): Promise<{ token: string; apiToken: ApiToken }> {
    const { name, scope } = this.flags;
    const { createApiToken } = await this.graphql<{ createApiToken: { token: string; apiToken: ApiToken } }>(
      `mutation($name: String!, $scopes: [ApiTokenScope!]) { createApiToken(name: $name, scopes: $scopes) { token apiToken { ${API_TOKEN_FIELDS} } } }`,
      // Left out, the API's default scopes apply.
      { name, ...(scope ? { scopes: [...new Set(scope)] } : {}) },
    );
    const { apiToken } = createApiToken;
    this.log(`Created API token "${apiToken.name}" (${apiToken.id}) with ${apiToken.scopes.join(', ')}. Copy the secret now, it is not shown again:`);
    this.log(createApiToken.token);
    return createApiToken;
  }
}
