import { Flags } from '@oclif/core';
import { AUTH_FIELDS, AuthCommand, passwordFlag, type AuthPayload } from '../auth-command.ts';
import { EXIT_CODES_HELP } from '../base-command.ts';

export default class Signup extends AuthCommand<typeof Signup> {
  static override summary = 'Create an organisation and its first host, and log in as that host';
  static override description = `The login is saved to your Proctor config file, so later commands need no --token.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --email ada@example.com --org "Acme Hiring"',
    {
      description: 'On another server, with the password from a secret store',
      command: '$ pass show proctor | <%= config.bin %> <%= command.id %> --server https://proctor.example.com --email ada@example.com --org Acme',
    },
  ];
  static override flags = {
    email: Flags.string({ required: true, description: 'your email; you log in with it' }),
    org: Flags.string({ required: true, description: 'name of your organisation' }),
    password: passwordFlag,
  };

  async run() {
    const password = await this.password(this.flags.password, { confirm: true });
    const { signUp } = await this.graphql<{ signUp: AuthPayload }>(
      `mutation($email: String!, $password: String!, $orgName: String!) { signUp(email: $email, password: $password, orgName: $orgName) { ${AUTH_FIELDS} } }`,
      { email: this.flags.email, password, orgName: this.flags.org },
    );
    this.log(`Created organisation "${this.flags.org}"`);
    return this.remember(signUp);
  }
}
